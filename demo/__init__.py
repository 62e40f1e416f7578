"""The offline demo web: a seeded world of publishers, ads, trackers, brands and activist feeds
(``demo.world``) served by one HTTP forward proxy (``demo.server``). See demo/README.md."""
