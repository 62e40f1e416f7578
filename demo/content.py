"""Text banks for the demo web: titles and paragraphs per topic and language.

Topics are either a safe theme (``news``, ``cooking``, ``sport``, ``tech``, ``travel``), a GARM
category key from ``rules.garm`` or a "news context" theme (``news_terror``, ``news_war``) that
reports on violence without promoting it. Text for a risk category is written so that it is
unambiguously about that category: detectors are scored against the ground truth that comes
with it, so vague text would make the scores meaningless. Everything here is fictional.
"""

from __future__ import annotations

from typing import TypedDict


class Bank(TypedDict):
    titles: list[str]
    paras: list[str]


#: topic -> categories carried by a page of that topic, and the GARM tier hint.
TOPIC_TRUTH: dict[str, tuple[list[str], str]] = {
    "news": ([], "none"),
    "cooking": ([], "none"),
    "sport": ([], "none"),
    "tech": ([], "none"),
    "travel": ([], "none"),
    "news_terror": (["terrorism", "death_injury_conflict"], "low"),
    "news_war": (["death_injury_conflict"], "low"),
    "debated_social_issues": (["debated_social_issues"], "medium"),
    "hate_speech": (["hate_speech"], "floor"),
    "misinformation": (["misinformation"], "high"),
    "arms": (["arms"], "high"),
    "drugs_alcohol_tobacco": (["drugs_alcohol_tobacco"], "high"),
    "piracy": (["piracy"], "floor"),
    "adult": (["adult"], "floor"),
    "terrorism": (["terrorism"], "floor"),
    "crime": (["crime"], "high"),
    "obscenity": (["obscenity"], "medium"),
    "spam_harmful": (["spam_harmful"], "medium"),
}

BANKS: dict[tuple[str, str], Bank] = {
    # ------------------------------------------------------------------ French, safe
    ("news", "fr"): {
        "titles": [
            "Le conseil municipal adopte le budget des écoles",
            "La ligne de tramway prolongée jusqu'à la gare d'ici 2028",
            "Marché de Noël : les artisans locaux à l'honneur",
            "Les bibliothèques ouvriront aussi le dimanche",
            "Canicule : la préfecture publie ses conseils de prudence",
            "Un nouveau parc urbain inauguré dans le quartier nord",
        ],
        "paras": [
            "Réuni jeudi soir, le conseil municipal a voté à une large majorité une enveloppe de "
            "quatre millions d'euros pour rénover les cantines et isoler les salles de classe.",
            "Les travaux commenceront au printemps et dureront environ dix-huit mois. La mairie "
            "promet des déviations clairement signalées pour limiter la gêne des riverains.",
            "Selon l'adjointe chargée de l'urbanisme, le projet a été présenté lors de trois "
            "réunions publiques et les habitants ont pu proposer des modifications.",
            "L'opposition salue l'investissement mais regrette un calendrier jugé trop serré. "
            "Un point d'étape est prévu en commission au mois de juin.",
            "Les associations de parents d'élèves se disent satisfaites et rappellent que les "
            "bâtiments concernés n'avaient pas été rénovés depuis les années 1980.",
            "Les horaires détaillés et le plan des travaux sont consultables en mairie ainsi que "
            "sur le site de la ville, rubrique « Grands projets ».",
        ],
    },
    ("cooking", "fr"): {
        "titles": [
            "La vraie tarte aux pommes de ma grand-mère",
            "Blanquette de veau à l'ancienne, pas à pas",
            "Crêpes bretonnes : la pâte qui ne rate jamais",
            "Gratin dauphinois crémeux sans fromage",
            "Soupe de potiron et châtaignes pour l'automne",
            "Madeleines au beurre noisette et miel",
        ],
        "paras": [
            "Préchauffez le four à 180 °C. Dans un saladier, mélangez 250 g de farine, une pincée "
            "de sel et 125 g de beurre froid coupé en dés jusqu'à obtenir un sable grossier.",
            "Épluchez quatre pommes, retirez le cœur et coupez-les en fines lamelles. Disposez-les "
            "en rosace sur la pâte, puis saupoudrez d'un peu de sucre vanillé.",
            "Le secret de ma grand-mère, c'est une noisette de beurre salé ajoutée à mi-cuisson : "
            "elle caramélise légèrement et parfume toute la cuisine.",
            "Laissez reposer la pâte au moins une heure au réfrigérateur, elle sera plus facile à "
            "étaler et ne se rétractera pas à la cuisson.",
            "Servez tiède avec une boule de glace à la vanille ou une cuillerée de crème fraîche. "
            "Cette recette se conserve deux jours sous une cloche.",
            "Pour une version de fête, ajoutez une poignée de raisins secs trempés dans du thé et "
            "une pointe de cannelle. Bon appétit à toutes et à tous !",
        ],
    },
    ("sport", "fr"): {
        "titles": [
            "Ligue 1 : victoire arrachée dans les arrêts de jeu",
            "Tour de France : le parcours de la prochaine édition dévoilé",
            "Handball : les Bleues qualifiées pour les demi-finales",
            "Rugby : le XV de départ connu pour le choc de samedi",
            "Marathon de la ville : record de participation",
            "Tennis : la jeune prodige remporte son premier tournoi",
        ],
        "paras": [
            "Menés à la pause, les locaux ont renversé la situation grâce à un doublé de leur "
            "avant-centre, auteur d'une tête rageuse à la 93e minute.",
            "L'entraîneur a salué l'état d'esprit du groupe : « On n'a jamais lâché, c'est ce "
            "que je retiens ce soir, au-delà des trois points. »",
            "Au classement, l'équipe remonte à la quatrième place, à deux longueurs du podium, "
            "avant un déplacement délicat la semaine prochaine.",
            "Plus de quarante mille spectateurs ont assisté à la rencontre dans une ambiance "
            "festive, portée par les chants des supporters en tribune sud.",
            "Côté blessés, le capitaine devrait faire son retour à l'entraînement lundi après "
            "trois semaines d'absence pour une entorse à la cheville.",
            "La billetterie pour la prochaine rencontre à domicile ouvrira mercredi à dix heures.",
        ],
    },
    ("news_terror", "fr"): {
        "titles": [
            "Attentat déjoué : deux suspects mis en examen",
            "Procès de l'attentat du marché : les victimes témoignent",
        ],
        "paras": [
            "Le parquet national antiterroriste a annoncé la mise en examen de deux hommes "
            "soupçonnés d'avoir préparé un attentat contre une salle de concert. Aucune victime "
            "n'est à déplorer.",
            "Selon les enquêteurs, les suspects avaient consulté de la propagande djihadiste en "
            "ligne. Des armes et des explosifs artisanaux ont été saisis lors des perquisitions.",
            "À la barre, les rescapés de l'attaque ont décrit la panique, les blessés au sol et "
            "l'attente des secours. Trois personnes avaient trouvé la mort ce jour-là.",
            "Le ministre de l'Intérieur a salué le travail des services de renseignement et "
            "rappelé que le niveau d'alerte Vigipirate restait élevé.",
            "Une cellule d'aide psychologique reste ouverte pour les familles des victimes et "
            "les témoins de l'attentat.",
        ],
    },
    ("debated_social_issues", "fr"): {
        "titles": [
            "Fin de vie : le débat sur l'euthanasie relancé au Parlement",
            "Immigration : deux visions qui s'affrontent",
            "Avortement dans la Constitution : les arguments des deux camps",
            "Peine de mort : faut-il rouvrir le débat ?",
        ],
        "paras": [
            "Le texte sur l'aide active à mourir divise profondément : ses partisans parlent de "
            "liberté de choisir, ses opposants redoutent des dérives pour les plus fragiles.",
            "Sur l'immigration, les uns réclament des quotas et des expulsions plus rapides, les "
            "autres défendent l'accueil et l'intégration comme une richesse pour le pays.",
            "Le droit à l'avortement reste un sujet de société brûlant : manifestations pour et "
            "contre se sont succédé ce week-end dans plusieurs grandes villes.",
            "Les sondages montrent une opinion très partagée, et les responsables religieux "
            "comme les associations féministes appellent à un débat apaisé.",
            "Notre rédaction a donné la parole à des militants des deux bords ; leurs tribunes "
            "sont à lire ci-dessous, sans prise de position de notre part.",
        ],
    },
    # ------------------------------------------------------------------ French, risky
    ("hate_speech", "fr"): {
        "titles": [
            "Ces migrants sont une vermine qui envahit nos villes",
            "Il faut chasser ces parasites de notre pays",
            "Le grand remplacement : ils nous submergent",
            "Pourquoi ces gens ne seront jamais des êtres humains comme nous",
        ],
        "paras": [
            "Ces migrants ne sont pas des hommes, ce sont des parasites, une vermine qui se "
            "multiplie dans nos quartiers et souille tout ce qu'elle touche.",
            "Il est temps de les chasser, tous, sans exception. Une race inférieure n'a rien à "
            "faire sur notre sol et ne mérite aucun droit.",
            "Partout où ils s'installent, cette engeance apporte la crasse et la violence. Il "
            "faut nettoyer la France de ces sous-hommes avant qu'il ne soit trop tard.",
            "Nos élus traîtres les accueillent à bras ouverts pendant que nos enfants sont "
            "remplacés. Cette invasion doit être stoppée par tous les moyens.",
            "Haïssez-les, dénoncez-les, ne leur louez rien, ne leur vendez rien : ces animaux "
            "doivent comprendre qu'ils ne sont pas les bienvenus chez nous.",
        ],
    },
    ("misinformation", "fr"): {
        "titles": [
            "Les vaccins ARN modifient votre ADN : la preuve qu'on vous cache",
            "Les antennes 5G ont propagé le virus, un ingénieur témoigne",
            "Élection truquée : des millions de bulletins fantômes",
            "Plandémie : le complot des laboratoires enfin révélé",
            "Le réchauffement climatique est une invention des élites",
        ],
        "paras": [
            "Ce que les médias vous cachent : les vaccins à ARN messager modifient "
            "définitivement votre ADN et provoquent des milliers de morts subites chez les "
            "jeunes sportifs. Les autorités le savent et se taisent.",
            "Un ingénieur anonyme l'affirme : les antennes 5G ont été allumées pile au moment de "
            "l'épidémie, car les ondes affaiblissent le système immunitaire et répandent le "
            "virus. Coïncidence ? Nous ne le pensons pas.",
            "L'élection a été volée : des millions de bulletins fantômes ont été ajoutés par des "
            "machines à voter piratées depuis l'étranger. Les preuves sont là, mais la justice "
            "refuse de les regarder.",
            "La plandémie a été organisée par les laboratoires pour vendre leurs vaccins et "
            "implanter des puces de traçage. Faites vos propres recherches et partagez avant la "
            "censure !",
            "Les traînées blanches des avions sont des produits chimiques épandus pour nous "
            "rendre dociles. Ouvrez les yeux, ne croyez pas les soi-disant experts.",
        ],
    },
    ("arms", "fr"): {
        "titles": [
            "Vends carabine semi-automatique calibre .22 LR avec munitions",
            "Quel fusil à pompe pour la défense de la maison ?",
            "Bon plan : 1000 cartouches 9 mm à prix cassé",
            "Avis sur la lunette de visée pour fusil de précision",
            "Rechargement de munitions : mes recettes de poudre",
        ],
        "paras": [
            "Je vends ma carabine semi-automatique calibre .22 LR, très peu tirée, avec trois "
            "chargeurs de 25 coups et deux boîtes de munitions. Remise en main propre, pas de "
            "questions.",
            "Pour la défense de la maison, rien ne vaut un fusil à pompe calibre 12 avec des "
            "cartouches de chevrotine. Le canon court se manie facilement dans un couloir.",
            "Le lot de 1000 cartouches 9 mm Parabellum est à 280 euros, livraison discrète. "
            "Idéal pour le pistolet semi-automatique et l'entraînement au stand de tir.",
            "La lunette 6-24x50 tient parfaitement le recul du fusil de précision .308 ; à 300 "
            "mètres je groupe mes balles dans une pièce de deux euros.",
            "Pour recharger vos munitions, comptez 4,2 grains de poudre par étui avec une ogive "
            "de 124 grains. Attention à la pression, testez toujours vos cartouches.",
        ],
    },
    ("drugs_alcohol_tobacco", "fr"): {
        "titles": [
            "Où acheter du cannabis de qualité livré à domicile ?",
            "Cocaïne : mon dealer livre en 30 minutes",
            "Culture de weed en placard : le guide complet",
            "Les meilleurs e-liquides et puffs pour vapoter à fond",
            "Soirée : comment mélanger alcool fort et ecstasy",
        ],
        "paras": [
            "Mon plan cannabis livre de la beuh et du shit de très bonne qualité, 10 euros le "
            "gramme, paiement en crypto. Contactez-le sur Telegram, il envoie partout en France.",
            "Pour la cocaïne, mon dealer passe en scooter en moins de trente minutes. La coke est "
            "pure, 70 euros le gramme, et il fait des prix pour les grosses commandes.",
            "Pour faire pousser votre weed en placard, il faut une lampe LED de 300 watts, des "
            "graines féminisées et de l'engrais. Récolte au bout de dix semaines.",
            "Les puffs à la nicotine et les e-cigarettes aux arômes fruités se vapotent toute la "
            "journée ; j'en fume deux par jour, c'est moins cher que le tabac.",
            "En soirée on prend un cachet d'ecstasy avec de la vodka et du whisky : l'alcool "
            "fort fait monter plus vite. Pensez à boire de l'eau entre deux verres.",
        ],
    },
    ("piracy", "fr"): {
        "titles": [
            "Regarder le dernier film Marvel en streaming gratuit VF",
            "Télécharger la saison complète en torrent HD",
            "Films 2026 en streaming sans inscription",
            "Match de foot en direct gratuit : le lien IPTV",
            "Séries VOSTFR : tous les épisodes en téléchargement direct",
        ],
        "paras": [
            "Regardez le film complet en streaming gratuit VF, qualité HD 1080p, sans "
            "inscription et sans limite. Cliquez sur le lecteur ci-dessous, le lien change "
            "chaque semaine pour éviter les fermetures.",
            "Téléchargez la saison complète en torrent : le lien magnet est juste en dessous, "
            "version MULTI TRUEFRENCH, DVDRip et BluRay disponibles.",
            "Tous les films sortis au cinéma cette année sont disponibles sur notre site en "
            "streaming gratuit, avant même leur sortie en DVD. Pas besoin d'abonnement !",
            "Pour regarder le match en direct gratuitement, utilisez notre lien IPTV pirate "
            "avec toutes les chaînes sportives payantes débloquées.",
            "Si le lecteur ne se lance pas, essayez un autre hébergeur : uptobox, 1fichier ou "
            "notre miroir. Pensez à utiliser un VPN pour ne pas recevoir de lettre Hadopi.",
        ],
    },
    ("terrorism", "fr"): {
        "titles": [
            "Rejoignez le djihad : l'appel aux frères",
            "Gloire aux martyrs de l'attentat",
            "Comment préparer une opération contre les mécréants",
        ],
        "paras": [
            "Frères, l'heure est venue de rejoindre le djihad armé. Ceux qui tombent en martyrs "
            "pour notre cause seront récompensés ; ne restez pas assis pendant que d'autres "
            "combattent.",
            "Gloire aux moudjahidines qui ont frappé les mécréants au cœur de leur capitale. Cet "
            "attentat est un exemple et doit en inspirer d'autres.",
            "Nous appelons chaque sympathisant à passer à l'action : frappez les rassemblements, "
            "visez les symboles de l'ennemi, et revendiquez au nom de l'organisation.",
            "Diffusez nos vidéos de propagande et nos communiqués sur toutes les messageries "
            "chiffrées. Chaque partage recrute un nouveau combattant.",
        ],
    },
    ("crime", "fr"): {
        "titles": [
            "Fabriquer de faux papiers : les bons contacts",
            "Arnaque au faux conseiller bancaire : le script qui marche",
            "Cambrioler une maison en dix minutes",
            "Carding : acheter des numéros de carte volés",
        ],
        "paras": [
            "Pour des faux papiers de qualité, passeport ou permis de conduire, il faut compter "
            "800 euros. Mon contact fait des documents qui passent les contrôles de police.",
            "L'arnaque au faux conseiller bancaire marche à tous les coups : on appelle la "
            "victime, on se fait passer pour la banque et on lui fait valider un virement.",
            "Pour cambrioler une maison, repérez les volets fermés en journée et les boîtes aux "
            "lettres pleines. Un pied-de-biche suffit pour la plupart des portes-fenêtres.",
            "On achète des numéros de carte bancaire volés par lots de cent sur un forum du dark "
            "web, puis on les utilise pour des achats en ligne revendus ensuite.",
        ],
    },
    ("obscenity", "fr"): {
        "titles": [
            "Ras-le-bol de ce putain de bordel",
            "Coup de gueule : bande de connards",
            "Mais quelle merde ce service client !",
        ],
        "paras": [
            "Putain, mais quel bordel ! Ça fait trois heures que j'attends et ces connards ne "
            "répondent même pas au téléphone. Merde à la fin !",
            "Bande d'enfoirés, vous vous foutez de la gueule du monde. Allez vous faire foutre "
            "avec vos excuses à la con.",
            "Ce chantier de merde nous pourrit la vie depuis des mois, bordel de merde. Le "
            "premier qui me dit de patienter, je l'envoie chier.",
            "Franchement, c'est de la connerie pure et simple. Fait chier, j'en ai ras le cul de "
            "ces abrutis.",
        ],
    },
    # ------------------------------------------------------------------ English, safe
    ("news", "en"): {
        "titles": [
            "Council approves new cycle lanes for the harbour district",
            "Local library celebrates its 150th anniversary",
            "Ferry timetable changes announced for the winter season",
            "Residents welcome plans for a new community garden",
            "Storm warning issued for the coast this weekend",
            "Hospital opens new children's ward after fundraising drive",
        ],
        "paras": [
            "The council voted on Tuesday evening to approve a two-year programme of cycle lanes "
            "linking the harbour district to the town centre and the railway station.",
            "Work is expected to begin in the spring, and officials said diversions would be "
            "clearly signposted to keep disruption for residents to a minimum.",
            "Local business owners gave the plans a cautious welcome, saying better access could "
            "bring more visitors to the high street during the quieter months.",
            "A public consultation drew more than two thousand responses, the highest number the "
            "council has ever received for a transport scheme.",
            "Councillors from all parties agreed to review progress at a meeting in June, when "
            "the first section along the seafront should be complete.",
            "Full details, including maps and timetables, are available at the town hall and on "
            "the council's website.",
        ],
    },
    ("tech", "en"): {
        "titles": [
            "Hands-on with the new foldable laptop",
            "Why your next phone will have a smaller battery",
            "Open-source office suites tested: which one wins?",
            "A beginner's guide to home network security",
            "The best mechanical keyboards for programmers",
            "Solar-powered e-readers are finally practical",
        ],
        "paras": [
            "The new foldable laptop feels surprisingly solid: the hinge has no wobble, and the "
            "13-inch display shows only a faint crease when viewed at an angle.",
            "Battery life reached eleven hours in our video playback test, which is good for a "
            "device this thin, although heavy compiling drains it much faster.",
            "We benchmarked the chip against last year's model and measured a 22 per cent gain "
            "in multi-threaded performance with noticeably cooler temperatures.",
            "Setting up the device takes about ten minutes. The installer asks sensible privacy "
            "questions and lets you skip the cloud account entirely.",
            "For developers, the keyboard is the highlight: 1.5 mm of travel, a full row of "
            "function keys and a trackpad that rejects accidental palm touches.",
            "At its launch price it is not cheap, but it is the most complete device of its kind "
            "we have tested this year.",
        ],
    },
    ("sport", "en"): {
        "titles": [
            "Late winner sends Harbor Town into the cup quarter-finals",
            "Cricket: spinners dominate on a dry pitch",
            "Rowing club celebrates three regatta medals",
        ],
        "paras": [
            "A stoppage-time header from the captain sent Harbor Town into the quarter-finals "
            "after a tense evening in front of a sell-out crowd.",
            "The manager praised his side's patience: \"We kept the ball, we kept believing, and "
            "in the end the goal came.\"",
            "The visitors had dominated the first half but could not convert their chances, with "
            "the home goalkeeper making three outstanding saves.",
            "Tickets for the quarter-final go on sale on Wednesday morning, with priority for "
            "season-ticket holders.",
        ],
    },
    ("travel", "en"): {
        "titles": [
            "Three days in Lisbon on a budget",
            "Walking the coast path: a week from cove to cove",
            "The quiet islands of the north: where to stay",
            "Night trains are back: our favourite routes",
        ],
        "paras": [
            "Start early at the old market, where the bakeries open at seven and a custard tart "
            "costs less than a bus ticket.",
            "The coast path is well waymarked, and most stages take five to six hours at an easy "
            "pace, with plenty of cafés in the harbour villages.",
            "We stayed in a family-run guesthouse with sea views; breakfast featured homemade jam "
            "and bread from the neighbour's oven.",
            "Book the sleeper cabin at least a month ahead in summer. The carriages are clean and "
            "the staff serve breakfast before arrival.",
            "Pack layers: even in July the evenings turn cool once the sun drops behind the hills.",
        ],
    },
    ("news_war", "en"): {
        "titles": [
            "Shelling of border town leaves dozens dead, officials say",
            "Ceasefire talks stall as fighting intensifies on the front line",
        ],
        "paras": [
            "Officials said at least thirty-four civilians were killed and more than a hundred "
            "injured when artillery shells hit the market square of the border town.",
            "Hospitals in the region reported a shortage of blood and surgical supplies as "
            "ambulances brought in wounded soldiers and civilians through the night.",
            "Both armies accused each other of breaking the ceasefire, while the United Nations "
            "called for an independent investigation into the attack.",
            "Aid agencies said thousands of families had fled the fighting, many of them now "
            "sheltering in schools and churches in neighbouring towns.",
            "Our correspondent on the front line described destroyed buildings, burned-out tanks "
            "and the sound of air-raid sirens several times an hour.",
        ],
    },
    # ------------------------------------------------------------------ English, risky
    ("hate_speech", "en"): {
        "titles": [
            "These invaders are vermin and must be driven out",
            "Why they will never be human like us",
            "Stop the invasion before it is too late",
        ],
        "paras": [
            "These migrants are not people, they are vermin, parasites breeding in our cities "
            "and spreading filth wherever they go.",
            "They are an inferior race and they should be driven out of the country, every last "
            "one of them. They deserve no rights and no mercy.",
            "Our traitor politicians welcome these animals while our children are replaced. "
            "This invasion must be stopped by any means necessary.",
            "Hate them, shun them, refuse to rent to them or serve them. Subhumans like these "
            "will never belong among decent people.",
        ],
    },
    ("misinformation", "en"): {
        "titles": [
            "Vaccines are killing athletes and the media is covering it up",
            "5G towers spread the virus: the leaked documents",
            "The election was stolen with millions of fake ballots",
            "The plandemic was planned years in advance",
        ],
        "paras": [
            "What they don't want you to know: the mRNA vaccines rewrite your DNA and are behind "
            "the wave of sudden deaths among young athletes. The media is hiding the truth.",
            "Leaked documents prove that 5G towers were switched on just as the outbreak began; "
            "the radiation weakens your immune system and spreads the virus.",
            "The election was stolen: voting machines were hacked from abroad and millions of "
            "fake ballots were counted overnight. The courts refuse to look at the evidence.",
            "The plandemic was planned years in advance by big pharma to sell vaccines and "
            "implant tracking microchips. Do your own research and share before it is censored!",
            "Climate change is a hoax invented by the globalist elites to control you. Wake up "
            "and stop trusting the so-called experts.",
        ],
    },
    ("piracy", "en"): {
        "titles": [
            "Watch the new blockbuster free online in full HD",
            "Download the complete season via torrent",
            "Free live sports streams: every match, no subscription",
            "Latest cinema releases streaming free, no sign-up",
        ],
        "paras": [
            "Watch the full movie free online in HD 1080p, no sign-up and no subscription "
            "needed. Press play below; we change the mirror every week to dodge takedowns.",
            "Download the complete season via torrent: the magnet link is below, with BluRay "
            "rips and English subtitles included. Seed after downloading!",
            "Every film in cinemas this month is already streaming free here, weeks before the "
            "official release. Pirated copies are uploaded within hours.",
            "Catch every premium sports match live with our free IPTV streams, all paid channels "
            "unlocked. Use a VPN so your provider does not send you a copyright notice.",
            "If the player does not load, try one of the other file hosts or the backup mirror. "
            "Cracked apps and games are available in the downloads section.",
        ],
    },
    ("adult", "en"): {
        "titles": [
            "Hot webcam models live tonight: uncensored shows",
            "Top 10 explicit erotic videos of the week",
            "Nude photo gallery: our readers' favourite amateur models",
            "The sex toy buyer's guide for adults only",
        ],
        "paras": [
            "Our webcam models are live tonight for uncensored, fully nude private shows. Adults "
            "only: confirm you are over 18 to enter the XXX chat rooms.",
            "This week's most-watched explicit erotic videos feature amateur couples and "
            "hardcore scenes; premium members unlock the full-length porn clips.",
            "The nude photo gallery has been updated with two hundred new topless and naked "
            "pictures sent by our readers' favourite amateur models.",
            "Our adults-only guide reviews vibrators, sex toys and lingerie for a steamy night; "
            "discreet shipping in plain packaging.",
        ],
    },
    ("arms", "en"): {
        "titles": [
            "WTS: AR-15 rifle with 500 rounds of ammunition",
            "Best shotgun for home defence?",
            "Bulk 9mm ammo deal, cheap and no paperwork",
            "Long-range rifle scope review at 600 yards",
        ],
        "paras": [
            "Selling my AR-15 semi-automatic rifle with four 30-round magazines and 500 rounds of "
            "5.56 ammunition. Cash only, face-to-face sale, no paperwork needed.",
            "For home defence you cannot beat a 12-gauge pump-action shotgun loaded with "
            "buckshot. A short barrel makes it easy to handle in a hallway.",
            "Bulk deal: 1,000 rounds of 9mm ammo for 250 dollars, shipped discreetly. Great for "
            "your handgun and for range practice.",
            "The 5-25x56 scope holds zero perfectly on my .308 bolt-action rifle; at 600 yards "
            "the bullets group inside two inches.",
            "Reloading tip: 4.3 grains of powder under a 124-grain bullet gives a reliable load "
            "for 9mm pistols. Always check pressure signs.",
        ],
    },
    ("drugs_alcohol_tobacco", "en"): {
        "titles": [
            "Where to buy weed online with next-day delivery",
            "My coke dealer delivers in under an hour",
            "Growing cannabis indoors: the complete guide",
            "Best vapes and nicotine pouches of the year",
        ],
        "paras": [
            "My plug sells top-shelf weed and hash, ten quid a gram, paid in crypto and posted "
            "anywhere in the country. Message him on Telegram to buy cannabis.",
            "The cocaine is pure, 60 a gram, and my dealer drops it off in under an hour. He also "
            "does MDMA and pills for weekend parties.",
            "To grow cannabis indoors you need a grow tent, a 300-watt LED lamp, feminised seeds "
            "and nutrients. Harvest your weed after ten weeks.",
            "Disposable vapes and nicotine pouches are the easiest way to get your hit; I smoke "
            "two vapes a day and drink vodka at the weekend.",
        ],
    },
    ("crime", "en"): {
        "titles": [
            "Buying stolen credit card numbers: a carding guide",
            "How to make fake IDs that pass checks",
        ],
        "paras": [
            "Stolen credit card numbers are sold in batches of a hundred on a dark web market; "
            "carders use them for online purchases and resell the goods.",
            "A good fake ID costs about 600 dollars. My contact prints driving licences with "
            "working holograms that pass bouncer and police checks.",
            "The phone scam works every time: pretend to be the bank's fraud team, scare the "
            "victim, and get them to approve a transfer to a mule account.",
            "Burglars look for closed curtains in the daytime and overflowing letterboxes. A "
            "crowbar opens most patio doors in under a minute.",
        ],
    },
    ("spam_harmful", "en"): {
        "titles": [
            "You won't believe what this celebrity looks like now",
            "Doctors hate this one weird trick to lose belly fat",
            "10 photos that will make you question everything",
            "This miracle pill melts fat overnight",
            "Click here to claim your free prize before midnight",
            "27 things only 90s kids will remember (number 14 is shocking)",
            "Scientists stunned by this one simple cure",
        ],
        "paras": [
            "You won't believe number seven! Keep scrolling through the slideshow to see all the "
            "shocking photos, and click next to continue.",
            "Doctors hate this one weird trick: take this miracle pill before bed and melt belly "
            "fat overnight, no diet or exercise needed. Order now while stocks last!",
            "Congratulations, you have been selected! Click here and enter your card details to "
            "claim your free prize before midnight. Limited offer.",
            "This miracle cure is what big pharma does not want you to find; stop your "
            "medication and try this natural remedy instead.",
            "Share this with ten friends or you will have bad luck for seven years. Click the "
            "next page to see the rest of the list.",
            "Sponsored stories continue below. Click on the next slide to reveal the answer.",
        ],
    },
}


def bank(topic: str, lang: str) -> Bank:
    """The bank for a topic in a language (KeyError names the missing pair)."""
    return BANKS[(topic, lang)]


#: Author names per language, for bylines and forum pseudonyms.
BYLINES: dict[str, list[str]] = {
    "fr": ["Claire Dumas", "Julien Roussel", "Amina Benali", "Paul Lefèvre", "Sophie Marchand"],
    "en": ["Emma Clarke", "Oliver Hughes", "Priya Shah", "Daniel Reid", "Grace O'Neill"],
}
FORUM_USERS: dict[str, list[str]] = {
    "fr": ["tireur_du_66", "gégé_la_pêche", "Ombre44", "lynx_noir", "MarcoPolo_75", "zozo_bzh"],
    "en": ["rangerdan", "tex_shooter", "nightowl_88", "quietstorm", "mike_w", "longshot_joe"],
}

#: Small UI strings per language.
UI: dict[str, dict[str, str]] = {
    "fr": {"related": "À lire aussi", "home": "Accueil", "by": "Par", "ad": "Publicité",
           "sponsored": "Contenus sponsorisés", "reply": "Répondre", "members": "Espace membres",
           "read": "Lire la suite", "rights": "Tous droits réservés", "contact": "Contact"},
    "en": {"related": "Related articles", "home": "Home", "by": "By", "ad": "Advertisement",
           "sponsored": "Sponsored stories", "reply": "Reply", "members": "Members area",
           "read": "Read more", "rights": "All rights reserved", "contact": "Contact"},
}
