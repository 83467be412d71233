"""Talking about photos: reflection answers, sharing with the group, the session slideshow
and the themes a group names."""
