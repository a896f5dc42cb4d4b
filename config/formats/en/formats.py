"""English date and time formats: Django's own, except that a time reads "5:00 PM".

Django's English "P" writes "5 p.m.", "noon" and "midnight": a time at the end of a
sentence then ends in a double period ("…on Dec. 11, 2026, 2 p.m.."), and it differs
from the calendar's "5:00 PM". Here the meridiem is always shown, with the minutes, so
an English reader never has to guess whether "5:00" is morning or evening. French keeps
Django's 24-hour clock ("17:00").
"""

TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "N j, Y, g:i A"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
