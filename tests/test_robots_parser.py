"""Unit tests for crawler.signals.robots: grouping, matching, limits and the AI extensions."""

from __future__ import annotations

import hashlib
import time

import pytest

from crawler.signals.robots import (
    DEFAULT_AI_TRAINING_TOKENS,
    MAX_ROBOTS_BYTES,
    AIPreference,
    RobotsTxt,
    Rule,
    combined_optout,
    parse_rsl_prohibits_ai_training,
    path_from_url,
)

ME = "compliance-crawler"


def robots(text: str) -> RobotsTxt:
    return RobotsTxt.parse(text.encode("utf-8"))


def optouts(r: RobotsTxt, path: str, token: str = ME) -> list[bool | None]:
    return [p.optout for p in r.ai_preferences(path, token)]


# ---- grouping -----------------------------------------------------------------------------------


class TestGroups:
    def test_google_and_google_extended_are_different_tokens(self) -> None:
        r = robots("User-agent: Google-Extended\nDisallow: /\n\n"
                   "User-agent: Google\nDisallow: /g-only/\n")
        assert r.allowed("/page", "Google")
        assert not r.allowed("/g-only/x", "Google")
        assert not r.allowed("/page", "Google-Extended")
        assert r.allowed("/g-only/x", "Google-Extended") is False  # its own group: Disallow: /
        assert r.match("/page", "Google-Extended").group_tokens == ("Google-Extended",)

    def test_google_extended_group_does_not_leak_to_google(self) -> None:
        r = robots("User-agent: Google-Extended\nDisallow: /\n")
        assert r.allowed("/x", "Google")
        assert r.match("/x", "Google").group_tokens == ()

    @pytest.mark.parametrize("between", ["Crawl-delay: 5", "Sitemap: https://e.com/s.xml",
                                         "Content-Signal: search=yes", "X-Unknown: foo",
                                         "Request-rate: 1/5", "License: https://e.com/l.xml",
                                         "# a comment", ""])
    def test_unknown_line_between_user_agents_keeps_the_group(self, between: str) -> None:
        r = robots(f"User-agent: FooBot\n{between}\nUser-agent: BarBot\nDisallow: /private\n")
        assert not r.allowed("/private", "FooBot")
        assert not r.allowed("/private", "BarBot")
        assert r.match("/private", "FooBot").group_tokens == ("FooBot", "BarBot")

    def test_user_agent_after_rules_starts_a_new_group(self) -> None:
        r = robots("User-agent: FooBot\nDisallow: /a\nUser-agent: BarBot\nDisallow: /b\n")
        assert not r.allowed("/a", "FooBot") and r.allowed("/b", "FooBot")
        assert r.allowed("/a", "BarBot") and not r.allowed("/b", "BarBot")

    def test_rules_before_any_user_agent_are_ignored(self) -> None:
        r = robots("Disallow: /\nUser-agent: *\nDisallow: /x\n")
        assert r.allowed("/page", ME)
        assert not r.allowed("/x", ME)

    def test_groups_for_the_same_token_are_merged(self) -> None:
        r = robots("User-agent: foobot\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\n"
                   "User-agent: FOOBOT\nDisallow: /b\nAllow: /b/ok\n")
        assert not r.allowed("/a", "FooBot")
        assert not r.allowed("/b", "FooBot")
        assert r.allowed("/b/ok", "FooBot")
        assert r.allowed("/c", "FooBot")  # the * group does not apply to FooBot
        assert r.match("/a", "FooBot").group_tokens == ("foobot", "FOOBOT")

    def test_star_groups_are_merged_and_used_as_fallback(self) -> None:
        r = robots("User-agent: *\nDisallow: /a\nUser-agent: x\nAllow: /\nUser-agent: *\n"
                   "Disallow: /b\n")
        assert not r.allowed("/a", ME) and not r.allowed("/b", ME)
        assert r.match("/a", ME).group_tokens == ("*",)

    def test_specific_group_without_rules_allows_everything(self) -> None:
        r = robots(f"User-agent: *\nDisallow: /\n\nUser-agent: {ME}\nDisallow:\n")
        assert r.allowed("/anything", ME)
        assert r.match("/anything", ME).rule is None

    def test_no_matching_group_allows_everything(self) -> None:
        r = robots("User-agent: FooBot\nDisallow: /\n")
        m = r.match("/x", ME)
        assert m.allowed and m.rule is None and m.group_tokens == ()

    @pytest.mark.parametrize(("line", "token"), [("Foo Bar", "Foo"), ("FooBot/1.0", "FooBot"),
                                                 ("Ai2Bot-Dolma", "Ai2Bot-Dolma"),
                                                 ("img2dataset", "img2dataset")])
    def test_user_agent_value_reduced_to_product_token(self, line: str, token: str) -> None:
        r = robots(f"User-agent: {line}\nDisallow: /\n")
        assert not r.allowed("/x", token)
        assert not r.allowed("/x", token.upper())
        if line != token:
            assert r.allowed("/x", line)  # the crawler's token is compared whole

    def test_star_with_trailing_text_is_global(self) -> None:
        r = robots("User-agent: * # everyone\nDisallow: /x\n")
        assert not r.allowed("/x", ME)
        r = robots("User-agent: *bot\nDisallow: /x\n")
        assert r.allowed("/x", ME)

    def test_empty_token_matches_nothing(self) -> None:
        r = robots("User-agent: FooBot\nDisallow: /\n")
        assert r.allowed("/", "")


# ---- syntax tolerance ---------------------------------------------------------------------------


class TestSyntax:
    def test_utf8_bom(self) -> None:
        r = RobotsTxt.parse(b"\xef\xbb\xbfUser-agent: *\nDisallow: /x\n")
        assert not r.allowed("/x", ME)

    def test_partial_bom_is_skipped_like_google(self) -> None:
        r = RobotsTxt.parse(b"\xef\xbbUser-agent: *\nDisallow: /x\n")
        assert not r.allowed("/x", ME)

    @pytest.mark.parametrize("eol", ["\r\n", "\r", "\n"])
    def test_line_endings(self, eol: str) -> None:
        r = robots(eol.join(["User-agent: *", "Disallow: /x", "Allow: /x/y", ""]))
        assert not r.allowed("/x", ME)
        assert r.allowed("/x/y", ME)
        assert r.match("/x", ME).rule == Rule("disallow", "/x", 2)

    def test_crlf_line_numbers(self) -> None:
        r = robots("User-agent: *\r\n\r\nDisallow: /x\r\n")
        assert r.match("/x", ME).rule == Rule("disallow", "/x", 3)

    def test_missing_colon_like_google(self) -> None:
        r = robots("user-agent FooBot\ndisallow /\n")
        assert not r.allowed("/x", "FooBot")
        r = robots("user-agent FooBot\ndisallow / extra\n")  # three words: not a line
        assert r.allowed("/x", "FooBot")

    def test_keys_case_insensitive_and_typos(self) -> None:
        r = robots("USER-AGENT: *\nDiSaLlOw: /a\ndissallow: /b\nuseragent: x\n")
        assert not r.allowed("/a", ME) and not r.allowed("/b", ME)

    def test_key_prefixes_are_not_rules(self) -> None:
        # google's prefix matching would read these as Allow: / and Disallow: /.
        r = robots("User-agent: *\nDisallow: /x\nAllowAITraining: /\nDisallowed-stuff: /\n")
        assert not r.allowed("/x", ME)
        assert r.allowed("/y", ME)

    def test_comments(self) -> None:
        r = robots("User-agent: * # all\n# Disallow: /\nDisallow: /x#y\n")
        assert not r.allowed("/x", ME)
        assert r.allowed("/y", ME)

    def test_garbage_bytes_are_tolerated(self) -> None:
        r = RobotsTxt.parse(b"\xff\xfe\x00\nUser-agent: *\n\x80\x81: \xc3\nDisallow: /x\n")
        assert not r.allowed("/x", ME)

    def test_sha256_is_of_the_raw_bytes(self) -> None:
        body = b"\xef\xbb\xbfUser-agent: *\r\nDisallow: /\r\n"
        assert RobotsTxt.parse(body).sha256 == hashlib.sha256(body).hexdigest()

    def test_non_bytes_input_does_not_raise(self) -> None:
        text = "User-agent: *\nDisallow: /x\n"
        assert not RobotsTxt.parse(text).allowed("/x", ME)  # type: ignore[arg-type]
        assert RobotsTxt.parse(None).allowed("/y", ME)  # type: ignore[arg-type]
        assert not RobotsTxt.parse(bytearray(text.encode())).allowed("/x", ME)


class TestSizeLimit:
    HEAD = b"User-agent: *\nDisallow: /early\n"

    def _padded(self, tail: bytes, total: int) -> bytes:
        filler = b"# " + b"x" * 97 + b"\n"
        body = self.HEAD
        while len(body) + len(filler) <= total:
            body += filler
        return body + b"\n" * (total - len(body)) + tail

    def test_disallow_after_500_kib_is_ignored(self) -> None:
        body = self._padded(b"Disallow: /late\n", MAX_ROBOTS_BYTES)
        r = RobotsTxt.parse(body)
        assert r.truncated
        assert not r.allowed("/early", ME)
        assert r.allowed("/late", ME)
        assert r.sha256 == hashlib.sha256(body).hexdigest()

    def test_disallow_just_inside_500_kib_is_read(self) -> None:
        tail = b"Disallow: /late\n"
        body = self._padded(tail, MAX_ROBOTS_BYTES - len(tail))
        assert len(body) == MAX_ROBOTS_BYTES
        r = RobotsTxt.parse(body)
        assert not r.truncated
        assert not r.allowed("/late", ME)

    def test_line_cut_by_the_limit_is_dropped(self) -> None:
        # The limit falls after "Allow: /l": that fragment must not become an Allow of "/l*".
        body = self._padded(b"Allow: /late/and/long\n", MAX_ROBOTS_BYTES - 9)
        r = RobotsTxt.parse(body)
        assert r.truncated
        assert r.match("/l", ME).rule is None
        assert not r.allowed("/early", ME)


# ---- matching -----------------------------------------------------------------------------------


class TestMatching:
    def test_longest_match_wins(self) -> None:
        r = robots("User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n")
        assert not r.allowed("/a/x", ME)
        assert r.allowed("/a/b/x", ME)
        assert not r.allowed("/a/b/c", ME)

    def test_allow_wins_ties(self) -> None:
        r = robots("User-agent: *\nDisallow: /page\nAllow: /page\n")
        m = r.match("/page", ME)
        assert m.allowed and m.rule == Rule("allow", "/page", 3)

    def test_wildcard_and_anchor(self) -> None:
        r = robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /a*b*c\n")
        assert not r.allowed("/docs/x.pdf", ME)
        assert r.allowed("/docs/x.pdf?dl=1", ME)
        assert not r.allowed("/a-xx-b-yy-c-zz", ME)
        assert r.allowed("/a-xx-c-yy-b", ME)

    def test_dollar_only_special_at_end(self) -> None:
        r = robots("User-agent: *\nDisallow: /a$b\n")
        assert not r.allowed("/a$b/c", ME)
        assert r.allowed("/a", ME)

    def test_empty_disallow_means_nothing(self) -> None:
        r = robots("User-agent: *\nDisallow:\n")
        m = r.match("/x", ME)
        assert m.allowed and m.rule is None

    def test_robots_txt_is_always_allowed(self) -> None:
        r = robots("User-agent: *\nDisallow: /\n")
        assert r.allowed("/robots.txt", ME)
        assert r.allowed("https://e.com/robots.txt", ME)
        assert not r.allowed("/robots.txt.bak", ME)

    def test_query_is_part_of_the_path(self) -> None:
        r = robots("User-agent: *\nDisallow: /*?session=\n")
        assert not r.allowed("/a?session=1", ME)
        assert r.allowed("/a?x=1", ME)
        assert not r.allowed("https://e.com/a?session=1#frag", ME)

    def test_percent_encoding_normalisation(self) -> None:
        r = robots("User-agent: *\nDisallow: /~user/\nDisallow: /caf\u00e9\nDisallow: /%aa\n")
        assert not r.allowed("/%7Euser/x", ME)  # unreserved escape decoded
        assert not r.allowed("/%7euser/x", ME)
        assert not r.allowed("/caf%C3%A9", ME)  # non-ASCII pattern percent-encoded
        assert not r.allowed("/caf\u00e9", ME)  # non-ASCII URL percent-encoded too
        assert not r.allowed("/%AA", ME)  # hex case normalised
        r = robots("User-agent: *\nDisallow: /%7Euser/\nDisallow: /a%2Fb\n")
        assert not r.allowed("/~user/x", ME)
        assert r.allowed("/a/b", ME)  # %2F is reserved: not the same as "/"
        assert not r.allowed("/a%2fb", ME)

    def test_non_utf8_pattern_bytes_keep_their_identity(self) -> None:
        r = RobotsTxt.parse(b"User-agent: *\nDisallow: /caf\xe9\n")  # Latin-1 file
        assert not r.allowed("/caf%E9", ME)
        assert r.allowed("/caf%EF%BF%BD", ME)  # not read as U+FFFD

    def test_wildcard_escape_is_literal(self) -> None:
        r = robots("User-agent: *\nDisallow: /a%2Ab\n")
        assert r.allowed("/axxb", ME)
        assert not r.allowed("/a%2Ab", ME)

    def test_relative_disallow_fails_closed_relative_allow_never_matches(self) -> None:
        r = robots("User-agent: *\nDisallow: private/\nAllow: private/ok\n")
        assert not r.allowed("/private/x", ME)
        assert not r.allowed("/private/ok", ME)

    def test_index_html_allows_directory(self) -> None:
        r = robots("User-agent: *\nAllow: /dir/index.html\nDisallow: /\n")
        assert r.allowed("/dir/", ME)
        assert not r.allowed("/dir/other", ME)
        assert r.match("/dir/", ME).rule == Rule("allow", "/dir/$", 2)

    def test_match_accepts_paths_without_leading_slash(self) -> None:
        r = robots("User-agent: *\nDisallow: /x\nDisallow: /$\n")
        assert not r.match("x", ME).allowed
        assert not r.match("", ME).allowed  # "" is "/"
        assert not r.match("/x#fragment", ME).allowed

    def test_match_is_fast_with_many_rules(self) -> None:
        rules = "".join(f"Disallow: /section-{i}/*/item-{i}$\n" for i in range(5000))
        r = robots("User-agent: *\n" + rules + "Allow: /\n")
        start = time.perf_counter()
        for i in range(200):
            r.match(f"/section-{i}/a/b/item-{i}", ME)
        per_call = (time.perf_counter() - start) / 200
        assert per_call < 0.02
        assert not r.allowed("/section-7/x/item-7", ME)

    def test_pathological_wildcards_do_not_backtrack(self) -> None:
        r = robots("User-agent: *\nDisallow: /" + "*a" * 2000 + "*b\n")
        start = time.perf_counter()
        assert r.allowed("/" + "a" * 5000, ME)
        assert time.perf_counter() - start < 0.5


class TestPathFromUrl:
    @pytest.mark.parametrize(("url", "path"), [
        ("", "/"),
        ("http://foo.bar", "/"),
        ("http://foo.bar/a/b?c=d#e", "/a/b?c=d"),
        ("http://foo.bar?x", "/?x"),
        ("http://foo.bar//folder/x", "//folder/x"),
        ("//foo.bar/a", "/a"),
        ("/a/b?q=http://x", "/a/b?q=http://x"),
        ("http://foo.bar#/x", "/"),
        ("http://foo.bar;p", "/;p"),
    ])
    def test_google_get_path_params_query(self, url: str, path: str) -> None:
        assert path_from_url(url) == path


# ---- Crawl-delay, Request-rate, Sitemap ---------------------------------------------------------


class TestPoliteness:
    def test_crawl_delay_from_applicable_group(self) -> None:
        r = robots(f"User-agent: *\nCrawl-delay: 10\nDisallow: /p\n\nUser-agent: {ME}\n"
                   "Crawl-delay: 2.5\nDisallow: /x\n")
        assert r.crawl_delay(ME) == 2.5
        assert r.crawl_delay("other") == 10.0

    def test_crawl_delay_no_fallback_from_specific_group(self) -> None:
        r = robots(f"User-agent: *\nCrawl-delay: 10\nDisallow: /p\n\nUser-agent: {ME}\n"
                   "Disallow: /x\n")
        assert r.crawl_delay(ME) is None

    def test_group_with_only_extension_lines_joins_the_next_group(self) -> None:
        # Only Allow/Disallow end a list of agents (google, RFC 9309 grouping): the two
        # "groups" below are one, so both agents get the delay 10 and the Disallow.
        r = robots(f"User-agent: *\nCrawl-delay: 10\n\nUser-agent: {ME}\nDisallow: /x\n")
        assert r.crawl_delay(ME) == 10.0
        assert not r.allowed("/x", "other")

    def test_crawl_delay_invalid_and_multiple(self) -> None:
        r = robots("User-agent: *\nCrawl-delay: soon\nCrawl-delay: 1\nCrawl-delay: 4\n")
        assert r.crawl_delay(ME) == 4.0
        assert robots("User-agent: *\nCrawl-delay: -3\n").crawl_delay(ME) is None
        assert robots("User-agent: *\nCrawl-delay: nan\n").crawl_delay(ME) is None
        assert robots("Crawl-delay: 5\nUser-agent: *\n").crawl_delay(ME) is None
        assert robots("").crawl_delay(ME) is None

    @pytest.mark.parametrize(("value", "seconds"), [
        ("1/5", 5.0), ("1/5s", 5.0), ("1/1m", 60.0), ("2/1m", 30.0), ("1/1h", 3600.0),
        ("1 / 10", 10.0), ("1/5 0600-0845", 5.0), ("1/2M", 120.0),
    ])
    def test_request_rate(self, value: str, seconds: float) -> None:
        r = robots(f"User-agent: *\nRequest-rate: {value}\n")
        assert r.request_rate(ME) == pytest.approx(seconds)

    @pytest.mark.parametrize("value", ["abc", "0/5", "5", "/5", ""])
    def test_request_rate_invalid(self, value: str) -> None:
        assert robots(f"User-agent: *\nRequest-rate: {value}\n").request_rate(ME) is None

    def test_sitemaps_file_wide_deduplicated(self) -> None:
        r = robots("Sitemap: https://e.com/a.xml\nUser-agent: *\nDisallow: /\n"
                   "sitemap: https://e.com/b.xml\nSitemap: https://e.com/a.xml\n")
        assert r.sitemaps() == ["https://e.com/a.xml", "https://e.com/b.xml"]


# ---- AI-training crawler groups ------------------------------------------------------------------


class TestAITrainingOptout:
    def test_gptbot_disallowed_our_token_allowed(self) -> None:
        r = robots("User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
        assert r.allowed("/article", ME)
        assert r.ai_training_optout("/article", DEFAULT_AI_TRAINING_TOKENS) == ["GPTBot"]

    def test_only_own_group_counts_not_star(self) -> None:
        r = robots("User-agent: *\nDisallow: /\n")
        assert r.ai_training_optout("/x", DEFAULT_AI_TRAINING_TOKENS) == []

    def test_path_specific_and_case_insensitive(self) -> None:
        r = robots("User-agent: ccbot\nUser-agent: ClaudeBot\nDisallow: /private/\n")
        assert r.ai_training_optout("/public", ["CCBot", "ClaudeBot"]) == []
        assert r.ai_training_optout("/private/x", ["CCBot", "ClaudeBot", "GPTBot"]) == [
            "CCBot", "ClaudeBot"]
        # the groups a list of tokens has are kept per list: asked again, same answers
        assert r.ai_training_optout("/public", ("CCBot", "ClaudeBot", "GPTBot")) == []
        assert r.ai_training_optout("/private/y", ["GPTBot", "ClaudeBot"]) == ["ClaudeBot"]

    def test_google_group_is_not_google_extended(self) -> None:
        r = robots("User-agent: Google\nDisallow: /\n")
        assert r.ai_training_optout("/x", ["Google-Extended"]) == []
        r = robots("User-agent: Google-Extended\nDisallow: /\n")
        assert r.ai_training_optout("/x", ["Google-Extended", "Google"]) == ["Google-Extended"]

    def test_allowed_ai_group_is_no_optout(self) -> None:
        r = robots("User-agent: GPTBot\nAllow: /\nUser-agent: *\nDisallow: /\n")
        assert r.ai_training_optout("/x", ["GPTBot"]) == []

    def test_robots_txt_itself_is_never_an_optout(self) -> None:
        r = robots("User-agent: GPTBot\nDisallow: /\n")
        assert r.ai_training_optout("/robots.txt", ["GPTBot"]) == []
        assert r.ai_training_optout("/", ["GPTBot"]) == ["GPTBot"]

    def test_default_token_list(self) -> None:
        assert "GPTBot" in DEFAULT_AI_TRAINING_TOKENS
        assert "Google-Extended" in DEFAULT_AI_TRAINING_TOKENS
        assert "PerplexityBot" not in DEFAULT_AI_TRAINING_TOKENS
        assert len(DEFAULT_AI_TRAINING_TOKENS) == 25


# ---- Content-Signal ----------------------------------------------------------------------------


class TestContentSignal:
    def test_ai_train_no(self) -> None:
        r = robots("User-agent: *\nContent-Signal: search=yes, ai-train=no\nAllow: /\n")
        prefs = r.ai_preferences("/x", ME)
        assert prefs == [AIPreference("content-signal", "Content-Signal: search=yes, ai-train=no",
                                      2, True, None)]

    def test_ai_train_yes(self) -> None:
        r = robots("User-agent: *\nContent-Signal: ai-train=yes,search=yes\n")
        assert optouts(r, "/x") == [False]

    def test_omitted_key_is_no_statement(self) -> None:
        r = robots("User-agent: *\nContent-Signal: search=yes, ai-input=no\n")
        assert r.ai_preferences("/x", ME) == []

    def test_case_and_spacing_tolerated(self) -> None:
        r = robots("User-agent: *\ncontent-signal:  AI-Train = No \n")
        assert optouts(r, "/x") == [True]

    def test_unreadable_value_is_unknown(self) -> None:
        assert optouts(robots("User-agent: *\nContent-Signal: ai-train=maybe\n"), "/") == [None]
        assert optouts(robots("User-agent: *\nContent-Signal: no-training\n"), "/") == [None]

    def test_group_semantics(self) -> None:
        r = robots("User-agent: GPTBot\nContent-Signal: ai-train=no\nDisallow: /\n\n"
                   "User-agent: *\nAllow: /\n")
        assert r.ai_preferences("/x", ME) == []
        assert optouts(r, "/x", "GPTBot") == [True]
        r = robots(f"User-agent: *\nContent-Signal: ai-train=no\nDisallow: /p\n\n"
                   f"User-agent: {ME}\nContent-Signal: ai-train=yes\nAllow: /\n")
        assert optouts(r, "/x") == [False]
        assert optouts(r, "/x", "other") == [True]

    def test_signal_between_user_agents_applies_to_both(self) -> None:
        r = robots(f"User-agent: {ME}\nContent-Signal: ai-train=no\nUser-agent: other\n"
                   "Disallow: /private\n")
        assert optouts(r, "/x") == [True]
        assert optouts(r, "/x", "other") == [True]

    def test_optional_path(self) -> None:
        r = robots("User-agent: *\nContent-Signal: ai-train=yes\n"
                   "Content-Signal: /members/ ai-train=no\n")
        assert optouts(r, "/public") == [False]
        assert optouts(r, "/members/x") == [True]

    def test_before_any_group_applies_to_everyone(self) -> None:
        r = robots("Content-Signal: ai-train=no\nUser-agent: *\nAllow: /\n")
        assert optouts(r, "/x") == [True]
        assert optouts(r, "/x", "GPTBot") == [True]


# ---- Content-Usage (IETF AIPREF) ---------------------------------------------------------------


class TestContentUsage:
    def test_without_path(self) -> None:
        r = robots("User-agent: *\nAllow: /\nContent-Usage: train-ai=n\n")
        assert r.ai_preferences("/x", ME) == [
            AIPreference("content-usage", "Content-Usage: train-ai=n", 3, True, None)]

    def test_path_form_longest_match(self) -> None:
        r = robots("User-Agent: *\nAllow: /\nDisallow: /never/\nContent-Usage: / train-ai=n\n"
                   "Content-Usage: /ai-ok/ train-ai=y\n\n"
                   "User-Agent: ExampleBot\nAllow: /\nContent-Usage: / train-ai=y\n")
        assert optouts(r, "/test") == [True]
        assert optouts(r, "/ai-ok/test") == [False]
        assert r.ai_preferences("/ai-ok/test", ME)[0].path == "/ai-ok/"
        assert optouts(r, "/test", "ExampleBot") == [False]

    def test_line_without_path_ties_with_slash(self) -> None:
        r = robots("User-agent: *\nContent-Usage: train-ai=n\nContent-Usage: / train-ai=y\n")
        prefs = r.ai_preferences("/x", ME)
        assert [p.optout for p in prefs] == [True, False]
        assert combined_optout(prefs) is True

    def test_malformed_dictionary_is_unknown(self) -> None:
        for value in ["train-ai=n,", "train-ai=", "train-ai=n;", "train-ai n", "=n",
                      "train-ai=n, Search=y", "train-ai=\"n", "train-ai=(n"]:
            r = robots(f"User-agent: *\nContent-Usage: {value}\n")
            assert optouts(r, "/x") == [None], value

    def test_keys_are_case_sensitive(self) -> None:
        r = robots("User-agent: *\nContent-Usage: Train-ai=n\n")
        assert optouts(r, "/x") == [None]  # uppercase key: the dictionary does not parse

    def test_only_tokens_y_n_count(self) -> None:
        assert optouts(robots('User-agent: *\nContent-Usage: train-ai="n"\n'), "/") == [None]
        assert optouts(robots("User-agent: *\nContent-Usage: train-ai=no\n"), "/") == [None]
        assert optouts(robots("User-agent: *\nContent-Usage: train-ai\n"), "/") == [None]
        assert optouts(robots("User-agent: *\nContent-Usage: train-ai=?0\n"), "/") == [None]
        assert optouts(robots("User-agent: *\nContent-Usage: train-ai=n;x=1\n"), "/") == [True]

    def test_duplicates_last_wins(self) -> None:
        assert optouts(robots("User-agent: *\nContent-Usage: train-ai=n, train-ai=y\n"),
                       "/") == [False]
        assert optouts(robots("User-agent: *\nContent-Usage: train-ai=y, train-ai=n\n"),
                       "/") == [True]
        assert optouts(robots("User-agent: *\nContent-Usage: train-ai=y, train-ai\n"),
                       "/") == [None]

    def test_other_categories_only_is_no_statement(self) -> None:
        r = robots("User-agent: *\nContent-Usage: search=y, ai-use=n\n")
        assert r.ai_preferences("/x", ME) == []

    def test_silent_longer_line_does_not_hide_shorter_statement(self) -> None:
        r = robots("User-agent: *\nContent-Usage: / train-ai=n\nContent-Usage: /blog/ search=y\n")
        assert optouts(r, "/blog/post") == [True]

    def test_path_with_wildcard_and_encoding(self) -> None:
        r = robots("User-agent: *\nContent-Usage: /*.pdf$ train-ai=n\n")
        assert optouts(r, "/a/b.pdf") == [True]
        assert optouts(r, "/a/b.html") == []

    def test_combined_optout(self) -> None:
        def pref(optout: bool | None) -> AIPreference:
            return AIPreference("content-usage", "", 1, optout)

        assert combined_optout([]) is None
        assert combined_optout([pref(False)]) is False
        assert combined_optout([pref(False), pref(None)]) is None
        assert combined_optout([pref(None), pref(True), pref(False)]) is True

    def test_both_kinds_reported(self) -> None:
        r = robots("User-agent: *\nContent-Signal: ai-train=yes\nContent-Usage: train-ai=n\n")
        prefs = r.ai_preferences("/x", ME)
        assert [(p.kind, p.optout) for p in prefs] == [("content-signal", False),
                                                       ("content-usage", True)]
        assert combined_optout(prefs) is True


class TestDisallowAITraining:
    def test_root(self) -> None:
        r = robots("User-agent: *\nDisallowAITraining: /\nAllow: /\n")
        assert r.allowed("/x", ME)  # not a crawl rule
        assert r.ai_preferences("/x", ME) == [
            AIPreference("disallow-ai-training", "DisallowAITraining: /", 2, True, "/")]

    def test_path_only(self) -> None:
        r = robots("User-agent: *\nDisallowAITraining: /art/\nDisallowAITraining: /*.jpg$\n")
        assert optouts(r, "/art/x") == [True]
        assert optouts(r, "/pics/a.jpg") == [True]
        assert optouts(r, "/text") == []

    def test_empty_value_means_nothing(self) -> None:
        assert robots("User-agent: *\nDisallowAITraining:\n").ai_preferences("/", ME) == []

    def test_does_not_end_the_agent_list(self) -> None:
        r = robots(f"User-agent: GPTBot\nDisallowAITraining: /\nUser-agent: {ME}\nAllow: /\n")
        assert optouts(r, "/x") == [True]


class TestLicense:
    def test_license_lines_file_wide(self) -> None:
        r = robots("License: https://e.com/license.xml\nUser-agent: GPTBot\nDisallow: /\n"
                   "License: https://e.com/other.xml\nLICENSE: https://e.com/license.xml\n")
        assert r.license_urls() == ["https://e.com/license.xml", "https://e.com/other.xml"]

    def test_no_license(self) -> None:
        assert robots("User-agent: *\nDisallow:\n").license_urls() == []


# ---- RSL ----------------------------------------------------------------------------------------

RSL = ('<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license>{}</license>'
       "</content></rsl>")


class TestRSL:
    @pytest.mark.parametrize("usage", ["ai-train", "all", "ai-all", "train-ai",
                                       "search, ai-train", " ai-input  AI-TRAIN "])
    def test_prohibits_ai_training(self, usage: str) -> None:
        xml = RSL.format(f'<prohibits type="usage">{usage}</prohibits>').encode()
        assert parse_rsl_prohibits_ai_training(xml) is True

    def test_permits_only(self) -> None:
        xml = RSL.format('<permits type="usage">ai-train all</permits>').encode()
        assert parse_rsl_prohibits_ai_training(xml) is False

    def test_prohibits_other_usage_or_type(self) -> None:
        xml = RSL.format('<prohibits type="usage">search ai-input</prohibits>'
                         '<prohibits type="user">ai-train</prohibits>').encode()
        assert parse_rsl_prohibits_ai_training(xml) is False

    def test_namespace_prefix_tolerated(self) -> None:
        xml = (b'<?xml version="1.0"?><r:rsl xmlns:r="https://rslstandard.org/rsl"><r:content '
               b'url="/"><r:license><r:prohibits type="usage">ai-all</r:prohibits></r:license>'
               b'</r:content></r:rsl>')
        assert parse_rsl_prohibits_ai_training(xml) is True
        assert parse_rsl_prohibits_ai_training(
            b'<rsl><license><prohibits type="usage">all</prohibits></license></rsl>') is True

    @pytest.mark.parametrize("xml", [
        b"", b"not xml", b"<rsl><license>", b'<rsl><content url=\xe2\x80\x9d/\xe2\x80\x9d></rsl>',
        b'<html><body><prohibits type="usage">ai-train</prohibits></body></html>',
    ])
    def test_unreadable_or_not_rsl(self, xml: bytes) -> None:
        assert parse_rsl_prohibits_ai_training(xml) is None

    def test_dtd_and_entities_refused(self) -> None:
        bomb = (b'<?xml version="1.0"?><!DOCTYPE rsl [<!ENTITY a "ai-train">]>'
                b'<rsl><license><prohibits type="usage">&a;</prohibits></license></rsl>')
        assert parse_rsl_prohibits_ai_training(bomb) is None
        utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE rsl><rsl/>'.encode("utf-16")
        assert parse_rsl_prohibits_ai_training(utf16) is None
        assert parse_rsl_prohibits_ai_training(b'<!DOCTYPE rsl SYSTEM "http://x/d"><rsl/>') is None
