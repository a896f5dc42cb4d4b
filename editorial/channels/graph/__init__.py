"""Meta's Graph API, shared by the Facebook Page and Instagram adapters: the pinned
version and base address (`client`), the answers mapped to the publisher's errors, the
OAuth connection that lists a user's Pages (`oauth`), and how a post is found again
among an account's recent ones (`lookup`). Not a network of its own: no adapter here."""
