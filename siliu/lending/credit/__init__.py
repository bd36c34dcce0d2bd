"""Credit from the platform's own data (授信): the borrower's consent (同意书), the features read from the
four flows, the scorecards (评分卡: the staff's expert card, version 0, and those trained with
optbinning), each score with its three reasons in plain Chinese, and the monthly population stability
index (PSI) of the score and of each feature. See ADR 0020."""
