"""Supply path: ads.txt / app-ads.txt / sellers.json parsing, fetch rules and cross-checks (pure),
plus the store glue (``supply.store``) and the adstxt spider's pipeline (``supply.pipeline``)."""
