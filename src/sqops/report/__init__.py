"""sqops report: read tables → KPIs per stage → health → md/json/html/terminal."""
