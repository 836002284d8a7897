"""Title and creator for the TASL attribution, in order of preference."""

from parsel import Selector

from crawler.signals.attribution import page_attribution


def test_preferred_sources_and_whitespace() -> None:
    page = Selector(text="<html><head><title> A  b </title><meta property='og:title' "
                         "content='OG title'><meta name='author' content='Ada'></head>"
                         "<body><h1>x</h1></body></html>")
    assert page_attribution(page) == ("OG title", "Ada")


def test_fallbacks_to_heading_and_rel_author() -> None:
    page = Selector(text="<html><body><h1>Head <b>line</b></h1>"
                         "<span rel='author'>Bo\n C</span></body></html>")
    assert page_attribution(page) == ("Head line", "Bo C")


def test_nothing_found() -> None:
    assert page_attribution(Selector(text="<html><body><p>x</p></body></html>")) == ("", "")


def test_each_meta_source_in_its_order_of_preference() -> None:
    """One walk finds every meta: the preference between sources is kept (name=author
    before dc.creator before article:author, whatever their order in the document), the
    first element of a source counts, and one without content is no source."""
    page = Selector(text="<html><head><meta property='article:author' content='Art'>"
                         "<meta name='DC.creator' content='Dee'><meta name='author'>"
                         "<meta name='dcterms.creator' content='Later'>"
                         "<meta property='og:title' content=' '><title>T</title></head>"
                         "<body><h1>H</h1></body></html>")
    assert page_attribution(page) == ("T", "Dee")
    page = Selector(text="<html><head><meta property='article:author' content='Art'>"
                         "<meta name='author' content=''></head><body></body></html>")
    assert page_attribution(page) == ("", "Art")
