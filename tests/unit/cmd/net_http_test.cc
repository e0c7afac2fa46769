// URLs, requests, response heads and chunked bodies (programs/lib/net_http.h), against
// malformed and hostile servers.
#include "programs/lib/net_http.h"

#include <gtest/gtest.h>

#include <string>

namespace cmd::net {
namespace {

std::string sv(lib::StringView v) { return std::string(v.data(), v.size()); }

TEST(NetHttp, Urls) {
  Url u;
  ASSERT_EQ(parse_url("http://10.0.2.2:8080/a/b.txt?x=1#frag", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.host, "10.0.2.2");
  EXPECT_EQ(u.port, 8080);
  EXPECT_STREQ(u.path, "/a/b.txt?x=1");
  ASSERT_EQ(parse_url("HTTP://Example.org", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.host, "Example.org");
  EXPECT_EQ(u.port, 80);
  EXPECT_STREQ(u.path, "/");
  ASSERT_EQ(parse_url("example.org?q", &u), UrlStatus::Ok);  // no scheme: http
  EXPECT_STREQ(u.path, "/?q");
  EXPECT_EQ(parse_url("https://example.org/", &u), UrlStatus::UnsupportedScheme);
  EXPECT_EQ(parse_url("ftp://example.org/", &u), UrlStatus::UnsupportedScheme);
  for (const char* bad :
       {"", "http://", "http://:80/", "http://a:0/", "http://a:65536/",
        "http://a:99999999999999999999/", "http://a:/", "http://user@a/", "http://a b/",
        "http://a/b c", "http://[::1]/", "://a", "1http://a", "http://a/\x01"}) {
    EXPECT_EQ(parse_url(bad, &u), UrlStatus::Malformed) << bad;
  }
  const std::string long_path = "http://a/" + std::string(kUrlMaxPath, 'p');
  EXPECT_EQ(parse_url(lib::StringView(long_path.data(), long_path.size()), &u),
            UrlStatus::Malformed);
  const std::string long_host = "http://" + std::string(kUrlMaxHost + 1, 'h') + "/";
  EXPECT_EQ(parse_url(lib::StringView(long_host.data(), long_host.size()), &u),
            UrlStatus::Malformed);
}

TEST(NetHttp, Locations) {
  Url base;
  ASSERT_EQ(parse_url("http://a:81/dir/page?x", &base), UrlStatus::Ok);
  Url u;
  ASSERT_EQ(resolve_location(base, "http://b/c", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.host, "b");
  EXPECT_EQ(u.port, 80);
  ASSERT_EQ(resolve_location(base, "//c:82/d", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.host, "c");
  EXPECT_EQ(u.port, 82);
  ASSERT_EQ(resolve_location(base, "/root", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.host, "a");
  EXPECT_EQ(u.port, 81);
  EXPECT_STREQ(u.path, "/root");
  ASSERT_EQ(resolve_location(base, "other?y", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.path, "/dir/other?y");
  ASSERT_EQ(resolve_location(base, "?z", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.path, "/dir/page?z");
  ASSERT_EQ(resolve_location(base, "  /spaced  ", &u), UrlStatus::Ok);
  EXPECT_STREQ(u.path, "/spaced");
  EXPECT_EQ(resolve_location(base, "https://b/", &u), UrlStatus::UnsupportedScheme);
  EXPECT_EQ(resolve_location(base, "", &u), UrlStatus::Malformed);
  const std::string long_location(kUrlMaxPath, 'x');
  EXPECT_EQ(resolve_location(base, lib::StringView(long_location.data(), long_location.size()), &u),
            UrlStatus::Malformed);
}

TEST(NetHttp, FileNames) {
  Url u;
  ASSERT_EQ(parse_url("http://a/x/y.tar.gz?v=1", &u), UrlStatus::Ok);
  EXPECT_EQ(sv(url_file_name(u)), "y.tar.gz");
  ASSERT_EQ(parse_url("http://a/x/", &u), UrlStatus::Ok);
  EXPECT_EQ(sv(url_file_name(u)), "index.html");
  ASSERT_EQ(parse_url("http://a", &u), UrlStatus::Ok);
  EXPECT_EQ(sv(url_file_name(u)), "index.html");
  ASSERT_EQ(parse_url("http://a/..", &u), UrlStatus::Ok);
  EXPECT_EQ(sv(url_file_name(u)), "index.html");
}

TEST(NetHttp, Request) {
  Url u;
  ASSERT_EQ(parse_url("http://h:8000/p?q", &u), UrlStatus::Ok);
  char out[512];
  const std::string r(out, http_build_request(u, out, sizeof(out)));
  EXPECT_EQ(r.rfind("GET /p?q HTTP/1.1\r\nHost: h:8000\r\n", 0), 0u);
  EXPECT_NE(r.find("Connection: close\r\n\r\n"), std::string::npos);
  ASSERT_EQ(parse_url("http://h/", &u), UrlStatus::Ok);
  const std::string plain(out, http_build_request(u, out, sizeof(out)));
  EXPECT_NE(plain.find("Host: h\r\n"), std::string::npos);
  EXPECT_EQ(http_build_request(u, out, 20), 0u);
}

TEST(NetHttp, HeadEnd) {
  EXPECT_EQ(http_head_end("HTTP/1.1 200 OK\r\n\r\nbody", 23), 19u);
  EXPECT_EQ(http_head_end("HTTP/1.1 200 OK\n\nbody", 21), 17u);
  EXPECT_EQ(http_head_end("HTTP/1.1 200 OK\r\nA: b\r\n", 23), 0u);
}

bool head(const std::string& text, HttpHead* h) {
  return http_parse_head(text.data(), text.size(), h);
}

TEST(NetHttp, AHead) {
  HttpHead h;
  ASSERT_TRUE(head("HTTP/1.1 200 OK\r\nContent-Length: 42\r\nX-Other:  a b \r\n\r\n", &h));
  EXPECT_EQ(h.status, 200u);
  EXPECT_STREQ(h.reason, "OK");
  EXPECT_TRUE(h.has_length);
  EXPECT_EQ(h.length, 42u);
  EXPECT_FALSE(h.chunked);
  ASSERT_TRUE(head("HTTP/1.0 404\n\n", &h));  // no reason, bare LFs
  EXPECT_EQ(h.status, 404u);
  EXPECT_EQ(h.version_minor, 0u);
  EXPECT_STREQ(h.reason, "");
  ASSERT_TRUE(
      head("HTTP/1.1 301 Moved\r\nlocation: /new\r\ntransfer-encoding: gzip, CHUNKED\r\n\r\n", &h));
  EXPECT_TRUE(h.has_location);
  EXPECT_STREQ(h.location, "/new");
  EXPECT_TRUE(h.chunked);
  ASSERT_TRUE(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", &h));
  EXPECT_FALSE(h.chunked);  // not chunked last: the body runs to the close
  ASSERT_TRUE(head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", &h));
  EXPECT_EQ(h.length, 5u);
}

TEST(NetHttp, ContentLengthAtAndPastTwoToThe64) {
  HttpHead h;
  ASSERT_TRUE(head("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n", &h));
  EXPECT_EQ(h.length, UINT64_MAX);
  for (const char* bad : {"18446744073709551616", "18446744073709551620", "99999999999999999999999",
                          "-1", "+5", "5x", "0x10", "", "1 2", "5, 5"}) {
    EXPECT_FALSE(head(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + bad + "\r\n\r\n", &h))
        << bad;
  }
  EXPECT_FALSE(head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &h));
}

TEST(NetHttp, MalformedHeads) {
  HttpHead h;
  const std::string long_location =
      "Location: /" + std::string(kUrlMaxPath + kUrlMaxHost + 16, 'a');
  for (const std::string& bad : {
           std::string("HTTP/1.1 200 OK\r\n"),       // no empty line
           std::string("HTTP/2.0 200 OK\r\n\r\n"),   // not 1.x
           std::string("HTTP/1.1 20 OK\r\n\r\n"),    // two digits
           std::string("HTTP/1.1 2000 OK\r\n\r\n"),  // four
           std::string("HTTP/1.1 099 OK\r\n\r\n"),   // below 100
           std::string("HTTP/1.1 200OK\r\n\r\n"),
           std::string("ICY 200 OK\r\n\r\n"),
           std::string("\r\n"),
           std::string("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\n: empty\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nName : v\r\n\r\n"),  // space before the colon
           std::string("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n"),
           std::string("HTTP/1.1 200 OK\r\nA: b\0c\r\n\r\n", 26),
           std::string("HTTP/1.1 200 OK\r\n\r\nextra"),  // not just the head
           "HTTP/1.1 301 OK\r\n" + long_location + "\r\n\r\n",
       }) {
    EXPECT_FALSE(head(bad, &h)) << bad;
  }
  std::string huge = "HTTP/1.1 200 OK\r\n";
  while (huge.size() <= kHttpMaxHead) huge += "X-A: aaaaaaaaaaaaaaaa\r\n";
  huge += "\r\n";
  EXPECT_FALSE(head(huge, &h));
  // A long reason is cut, not refused.
  ASSERT_TRUE(head("HTTP/1.1 200 " + std::string(200, 'r') + "\r\n\r\n", &h));
  EXPECT_EQ(std::string(h.reason).size(), kHttpMaxReason);
}

// Feeds text to a decoder in pieces of step bytes; the body, and the last result.
ChunkedDecoder::Result decode(const std::string& text, size_t step, std::string* body,
                              size_t* rest = nullptr) {
  ChunkedDecoder d;
  body->clear();
  ChunkedDecoder::Result r = ChunkedDecoder::Result::More;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.size(), at + step);
    size_t piece_at = at;
    while (piece_at < end) {
      size_t used = 0;
      const char* data = nullptr;
      size_t size = 0;
      r = d.next(text.data() + piece_at, end - piece_at, &used, &data, &size);
      body->append(data ? data : "", size);
      piece_at += used;
      if (r != ChunkedDecoder::Result::More) {
        if (rest) *rest = text.size() - piece_at;
        return r;
      }
      if (used == 0) break;
    }
    at = end;
  }
  return r;
}

TEST(NetHttp, ChunkedBodiesInAnyPieces) {
  const std::string text =
      "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  for (size_t step : {1, 2, 3, 7, 1000}) {
    std::string body;
    size_t rest = 0;
    ASSERT_EQ(decode(text, step, &body, &rest), ChunkedDecoder::Result::Done) << step;
    EXPECT_EQ(body, "Wikipedia in\r\n\r\nchunks.") << step;
    EXPECT_EQ(rest, 4u) << step;  // what follows is not the body's
  }
  std::string body;
  EXPECT_EQ(decode("a\nabcdefghij\n0\n\n", 1, &body), ChunkedDecoder::Result::Done);  // bare LFs
  EXPECT_EQ(body, "abcdefghij");
  EXPECT_EQ(decode("3\r\nabc\r\n", 2, &body), ChunkedDecoder::Result::More);  // not done yet
}

TEST(NetHttp, ChunkSizesAtAndPastTwoToThe64) {
  std::string body;
  // 2^64-1 is a size (the body then never ends, and wget's limit stops it); 2^64 is not.
  EXPECT_EQ(decode("ffffffffffffffff\r\nabc", 3, &body), ChunkedDecoder::Result::More);
  EXPECT_EQ(body, "abc");
  EXPECT_EQ(decode("10000000000000000\r\nabc", 3, &body), ChunkedDecoder::Result::Malformed);
  EXPECT_EQ(decode("fffffffffffffffff\r\n", 3, &body), ChunkedDecoder::Result::Malformed);
  EXPECT_EQ(decode("000000000000000000000001\r\na\r\n0\r\n\r\n", 5, &body),
            ChunkedDecoder::Result::Done);
  EXPECT_EQ(body, "a");
}

TEST(NetHttp, MalformedChunks) {
  std::string body;
  for (const std::string& bad :
       {std::string("\r\n"), std::string("x\r\n"), std::string("-1\r\n"), std::string(";a\r\n"),
        std::string("3\rX"), std::string("3\r\nabcX\r\n"), std::string("3\r\nabc\r\r\n"),
        std::string("3 x\r\n") + std::string(kHttpMaxChunkLine, 'e'),
        std::string("0\r\n") + std::string(kHttpMaxTrailer + 1, 't')}) {
    EXPECT_EQ(decode(bad, 4, &body), ChunkedDecoder::Result::Malformed) << bad.substr(0, 20);
  }
}

TEST(NetHttp, RandomBytesNeverCrash) {
  uint64_t x = 88172645463325252ull;
  for (int round = 0; round < 5000; ++round) {
    std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::string chunks = "5\r\nhello\r\n0\r\n\r\n";
    for (std::string* s : {&text, &chunks}) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      (*s)[x % s->size()] = static_cast<char>(x >> 16);
    }
    HttpHead h;
    (void)head(text, &h);
    std::string body;
    (void)decode(chunks, 1 + x % 5, &body);
    EXPECT_LE(body.size(), chunks.size());
  }
}

}  // namespace
}  // namespace cmd::net
