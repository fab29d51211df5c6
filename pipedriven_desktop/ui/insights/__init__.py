"""The Insights window: warmness, organizations, campaign, activity and monitoring in charts.

Imported only when the window is opened (View → Insights), never on the way to the first
paint, and so is QtCharts.
"""
