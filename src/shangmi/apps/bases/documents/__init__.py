"""Documents of the programme: an application in the layout of the guide's tables 1–3, the public-notice
and recognition lists, and the targets workbooks."""
