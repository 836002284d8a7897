"""Request meta keys of the compliance components: one home, so no module invents its own.

Keys a spider may set: :data:`KIND` (``"image"`` for an image request). Every other key is
written by the gates only (the allow-list gate clears them on each new request), so a
spider cannot forge a robots snapshot, site signals, a decision chain or a license.
"""

from __future__ import annotations

#: "page" or "image": what the request fetches (set by spiders)
KIND = "compliance_kind"
#: the robots.txt snapshot the request was allowed under (robots gate)
ROBOTS = "compliance_robots"
#: the site-level opt-out files as read for this fetch (site-signals gate)
SITE_SIGNALS = "compliance_site_signals"
#: the site's license page as read for this fetch (site-signals gate, on the response)
SITE_LICENSE = "compliance_site_license"
#: the gate decisions taken so far for this request and its redirects
DECISIONS = "compliance_decisions"
#: for image requests: the license of the page that referenced them (item gate)
PAGE_LICENSE = "compliance_page_license"
#: for image requests: licenses the page states for that image (item gate)
IMAGE_LICENSE = "compliance_image_license"
#: the sha256 of the stored version a conditional request revalidates (revalidation)
REVALIDATING = "compliance_revalidating"
#: the stored copy could not answer a 304: the request is sent again without validators
UNCONDITIONAL = "compliance_unconditional"
#: the fleet's lease on a request taken from the shared queue (fleet scheduler); a
#: redirect or retry carries it on, to take its place in the queue in one step
FLEET_LEASE = "fleet_lease"
