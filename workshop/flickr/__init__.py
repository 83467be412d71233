"""The programme's Flickr account and group: connecting, the outbox, the sync worker."""
