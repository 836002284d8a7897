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


def test_title_and_heading_read_as_xpath_string_reads_them() -> None:
    """The first element only, its text with its children's (comments and processing
    instructions left out), as ``string((//h1)[1])``; an empty title gives way to it."""
    page = Selector(text="<html><head><title>  </title></head><body>"
                         "<h1>A <!-- note --><b>B</b><?pi x?> C</h1>tail<h1>second</h1>"
                         "</body></html>")
    assert page.xpath("string((//h1)[1])").get() == "A B C"
    assert page_attribution(page) == ("A B C", "")
