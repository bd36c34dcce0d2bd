"""The win-win scorecard (合作共赢): what each station earned and for whom it worked, each farmer's
income this year against last, the county's revenue by business line; and the monthly PDF report."""
