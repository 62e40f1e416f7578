"""Operations: the persistent job scheduler, `vigie serve` (API + dashboard + scheduler in one
process) and scale-out crawling on scrapy-redis."""
