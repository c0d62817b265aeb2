"""A realistic demo retail chain, written as the CSV files `python main.py import DIR` reads.

`generate_demo_chain(out_dir, seed=7, stores=20, skus=2000, days=365, end_date=None, members=None)`
writes locations.csv, products.csv, suppliers.csv, stock.csv, sales.csv,
members.csv and staff.csv and returns a `DemoSummary`. The same arguments
always give byte-identical files; `end_date` defaults to yesterday, so pass
it wherever the result must not depend on the day it runs. `skus` must be at
least 12 (one per category).

What is in the data, so forecasting, replenishment back-tests and member
analytics have real signals to find:

- Locations: stores S01.. in 华东 (Shanghai, Hangzhou, Suzhou), 华南
  (Guangzhou, Shenzhen) and 华北 (Beijing, Tianjin), named after their
  districts; warehouses W01 (central, Kunshan), W02 and W03 (regional).
- Products: twelve categories with their own seasons: drinks and ice cream
  peak in July, hot-pot ingredients and hot drinks in winter and before the
  Spring Festival, liquor and gift boxes in the four weeks before the Spring
  Festival (and less before Mid-Autumn and National Day), mooncakes only in
  the five weeks before Mid-Autumn; snacks, dairy and household goods are
  steady. Mostly Chinese names, some English-named imports. Barcodes are
  valid GS1: Chinese EAN-13 (690-699) for most, foreign EAN-13 or UPC-A for
  imports, EAN-8 for some small packs, and a carton GTIN-14 for a fifth.
- Demand: lognormal popularity (a few fast movers, a long intermittent
  tail), regional taste, weekend lift, public holidays (the Spring Festival
  week empties city stores, the days before it are the busiest), trends on
  some SKUs, a few products launched in the last three months, and
  promotions (10-30% off for one to two weeks, 30-80% more demand) whose
  lines carry promo=1 and the lower price. About 175 lines (70 receipts)
  per store and day whatever the assortment size.
- Stock-outs: shelves are replenished twice a week up to ten days of
  planned demand, as far as the shelf (one to four cases) allows; a fast
  mover outgrowing its shelf, a missed delivery or a promotion that
  outsells the plan empties a shelf, and sales stop although shoppers
  wanted more (censored demand). stock.csv is the shelf on the last
  evening, plus warehouses holding two to five weeks (central) or one to
  three weeks (regional) of cover.
- Receipts: baskets of 2.5 lines on average, times between 7:00 and 23:00
  with breakfast, lunch and evening peaks (+08:00), channels store, online
  and mini_program; about 40% carry a member.
- Members (400 per store by default): regulars, occasional shoppers,
  lapsing members whose visits fade, dormant ones silent for 90+ days, new
  ones who joined in the last 30 days and a few VIPs with big baskets, each
  with one or two usual stores, favourite categories and a handful of
  products they buy again and again. Unique +86 mobile
  numbers, example.com emails, consent flags, a quarter on Telegram; points
  follow spend.
- Staff: two staff and a manager per store, one of each per warehouse, an
  admin at W01; Telegram ids 100001.. (staff), 200001.. (managers), 300001.
"""

from adapters.demo_chain.chain import DemoSummary, generate_demo_chain

__all__ = ["DemoSummary", "generate_demo_chain"]
