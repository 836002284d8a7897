"""Property tests: the robots parser never raises, stays fast on hostile input, and its wildcard
matcher agrees with google/robotstxt's reference algorithm."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.signals.robots import (
    DEFAULT_AI_TRAINING_TOKENS,
    MAX_ROBOTS_BYTES,
    RobotsTxt,
    parse_rsl_prohibits_ai_training,
)

ME = "compliance-crawler"
TOKENS = (ME, "*", "GPTBot", "Google", "Google-Extended", "", "Foo Bar", "ü")

# Paths and URLs: printable text, raw non-ASCII, escapes, wildcards-as-literals, fragments.
PATH_PIECES = [*"/ab?=&%2Fz*$#.~;: \t", "ツ", "é", "%E3", "%7e", "\x00", "\udc80", "//"]
paths = st.lists(st.sampled_from(PATH_PIECES), max_size=30).map("".join)
values = st.text(max_size=40) | paths
keys = st.sampled_from([
    "User-agent", "user-agent", "USER-AGENT", "useragent", "Allow", "Disallow", "disalow",
    "Sitemap", "Crawl-delay", "Request-rate", "Content-Signal", "Content-Usage",
    "DisallowAITraining", "License", "AllowAITraining", "Host", "", "#",
])
agent_values = st.sampled_from(["*", "* x", ME, "GPTBot", "Google", "Google-Extended", "Foo Bar",
                                "*bot", "", "CCBot/2.0", "ü"])
directive_values = st.sampled_from([
    "/", "", "/a", "/a*b$", "*", "$", "/*.pdf$", "search=yes, ai-train=no", "ai-train=yes",
    "train-ai=n", "/x/ train-ai=y", "Train-ai=n", "train-ai=(", "1/5", "1/1m", "2.5", "-1",
    "https://e.com/s.xml", "/%7e%zz%E3%83%84", "/ツ", "(((", '"', "/a b c",
])
separators = st.sampled_from(["\n", "\r\n", "\r", "\n\n", " \n"])


@st.composite
def robots_documents(draw: st.DrawFn) -> bytes:
    """A random mixture of valid and broken directives with random line endings."""
    lines = draw(st.lists(
        st.one_of(
            st.tuples(st.just("User-agent"), agent_values),
            st.tuples(keys, directive_values),
            st.tuples(keys, values),
        ).map(lambda kv: f"{kv[0]}: {kv[1]}" if kv[0] != "#" else f"# {kv[1]}"),
        max_size=40,
    ))
    out = ""
    for line in lines:
        out += line + draw(separators)
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb", b"\xff\xfe"]))
    return prefix + out.encode("utf-8", "surrogatepass")


def _exercise(robots: RobotsTxt, path: str, token: str) -> None:
    """Every public query: none may raise, and results have the documented types."""
    m = robots.match(path, token)
    assert isinstance(m.allowed, bool)
    assert isinstance(m.group_tokens, tuple)
    assert robots.allowed(path, token) in (True, False)
    assert robots.allowed("https://example.com" + path, token) in (True, False)
    delay = robots.crawl_delay(token)
    assert delay is None or delay >= 0
    rate = robots.request_rate(token)
    assert rate is None or rate >= 0
    optout = robots.ai_training_optout(path, DEFAULT_AI_TRAINING_TOKENS)
    assert set(optout) <= set(DEFAULT_AI_TRAINING_TOKENS)
    for pref in robots.ai_preferences(path, token):
        assert pref.optout in (True, False, None)
        assert pref.kind in ("content-signal", "content-usage", "disallow-ai-training")
    assert all(isinstance(s, str) for s in robots.sitemaps())
    assert all(isinstance(s, str) for s in robots.license_urls())


@settings(max_examples=300, deadline=2000)
@given(body=st.binary(max_size=4000), path=paths, token=st.sampled_from(TOKENS))
def test_garbage_bytes_never_raise(body: bytes, path: str, token: str) -> None:
    _exercise(RobotsTxt.parse(body), path, token)


@settings(max_examples=300, deadline=2000)
@given(body=robots_documents(), path=paths, token=st.sampled_from(TOKENS))
def test_directive_mixtures_never_raise(body: bytes, path: str, token: str) -> None:
    robots = RobotsTxt.parse(body)
    _exercise(robots, path, token)
    # /robots.txt itself is always allowed, whatever the file says.
    assert robots.allowed("/robots.txt", token)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunk=(robots_documents() | st.binary(min_size=1, max_size=3000)).filter(
           lambda b: len(b) > 20),
       megabytes=st.integers(min_value=2, max_value=4))
def test_huge_files_are_capped_and_fast(chunk: bytes, megabytes: int) -> None:
    body = chunk * (megabytes * 1024 * 1024 // len(chunk) + 1)
    start = time.perf_counter()
    robots = RobotsTxt.parse(body)
    for path in ("/", "/a/b?c=d", "/x" * 500):
        _exercise(robots, path, ME)
        _exercise(robots, path, "GPTBot")
    assert time.perf_counter() - start < 10
    assert robots.truncated


@settings(max_examples=10, deadline=None)
@given(char=st.sampled_from(["a", "*", "/", "%", "ツ", "\x00", " "]),
       key=st.sampled_from(["Disallow", "Allow", "User-agent", "Content-Usage", "X"]))
def test_one_enormous_line(char: str, key: str) -> None:
    body = f"User-agent: *\n{key}: /{char * 700_000}\n".encode("utf-8", "surrogatepass")
    start = time.perf_counter()
    robots = RobotsTxt.parse(body)
    _exercise(robots, "/" + char * 3000, ME)
    assert time.perf_counter() - start < 5


@settings(max_examples=20, deadline=None)
@given(stars=st.integers(min_value=100, max_value=20_000),
       path_len=st.integers(min_value=100, max_value=20_000))
def test_wildcard_heavy_patterns_stay_linear(stars: int, path_len: int) -> None:
    body = ("User-agent: *\nDisallow: /" + "*a" * stars + "*b$\nAllow: /" + "*" * stars
            + "\nContent-Usage: /" + "*a" * stars + " train-ai=n\n").encode()
    robots = RobotsTxt.parse(body[:MAX_ROBOTS_BYTES])
    start = time.perf_counter()
    robots.match("/" + "a" * path_len, ME)
    robots.ai_preferences("/" + "a" * path_len, ME)
    assert time.perf_counter() - start < 1


@settings(max_examples=10, deadline=None)
@given(agents=st.integers(min_value=1, max_value=20_000))
def test_many_agents_and_groups(agents: int) -> None:
    # Many agents sharing one group, and many one-line groups for the same token.
    shared = "".join(f"User-agent: bot{i}\n" for i in range(agents)) + "Disallow: /x\n"
    repeated = "User-agent: GPTBot\nDisallow: /y\n" * (agents // 2 + 1)
    start = time.perf_counter()
    robots = RobotsTxt.parse((shared + repeated).encode())
    assert not robots.allowed("/x", f"bot{agents - 1}")
    assert robots.ai_training_optout("/y", ["GPTBot"]) == ["GPTBot"]
    assert time.perf_counter() - start < 5


def _google_matches(path: str, pattern: str) -> bool:
    """google/robotstxt RobotsMatchStrategy::Matches, transcribed as the reference oracle."""
    pos = [0]
    for i, c in enumerate(pattern):
        if c == "$" and i == len(pattern) - 1:
            return pos[-1] == len(path)
        if c == "*":
            pos = list(range(pos[0], len(path) + 1))
        else:
            pos = [p + 1 for p in pos if p < len(path) and path[p] == c]
            if not pos:
                return False
    return True


@settings(max_examples=1500, deadline=None)
@given(pattern=st.text(alphabet="/ab*$", max_size=10).map(lambda p: "/" + p),
       path=st.text(alphabet="/ab$", max_size=12).map(lambda p: "/" + p))
def test_wildcard_matching_agrees_with_google(pattern: str, path: str) -> None:
    robots = RobotsTxt.parse(f"User-agent: *\nDisallow: {pattern}\n".encode())
    if path == "/robots.txt":
        return
    assert robots.match(path, ME).allowed is not _google_matches(path, pattern)


@settings(max_examples=300, deadline=2000)
@given(xml=st.binary(max_size=2000) | st.text(
    alphabet='<>/="\' rslprohibitstypeusagaintr-!DOCTYPE&;', max_size=200).map(str.encode))
def test_rsl_never_raises(xml: bytes) -> None:
    assert parse_rsl_prohibits_ai_training(xml) in (True, False, None)
