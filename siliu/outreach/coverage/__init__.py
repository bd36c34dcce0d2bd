"""Where exhibitions have been: per village and township, whether an exhibition was held there in a year
(``selectors``), on a map (``static/outreach/coverage.js``, ECharts on longitude and latitude as the
network map) and in a table; ``views`` and ``api`` serve them to anyone."""
