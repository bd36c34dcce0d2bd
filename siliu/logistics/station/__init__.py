"""The station's parcels (本站邮件, issue #11): parcels waiting for their recipients with a pickup code
(待取), those uncollected too long (待退回), the parcels accepted from villagers today (今日揽收);
handing a parcel over by code or phone (``services``), the pickup slip (``slips``), the pages
(``views``) and the hand-over API (``api``)."""
