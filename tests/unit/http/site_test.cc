#include "apps/httpd/site.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/httpd/writer.h"
#include "tests/unit/http/http_client.h"
#include "tests/unit/http/json.h"

namespace {

using namespace std::string_literals;
using httpd::BodyKind;
using httpd::Method;
using httpd::Response;
using httpd::Site;
using httpd::Source;
using httptest::Json;
using httptest::JsonReader;

const std::string kComponents =
    "startup running user 0 1048576 0 1 -\n"
    "tcpip running user 2 5242880 8388608 1 killed (by request)\n"
    "ht<b>\"x\" exited kernel 0 0 4096 0 exited (exit, code 0)\n";
const std::string kMemory =
    "total_bytes 134217728\nfree_bytes 100663296\nkernel_heap_bytes 65536\n";
const std::string kNetstat = "ipv4.in 12\ntcp.established 3\ndrop.ipv4_bad_checksum 0\n";
const std::string kLog =
    "[  0.001] kernel: ready\n"
    "quote \" backslash \\ tab\t bell \x07 <tag> & caf\xc3\xa9 bad \xff\xfe end\n";

struct Fixture {
  httpd::ServerCounters counters;
  Site site{&counters};

  void feed_all() {
    size_t bad = 0;
    EXPECT_TRUE(site.update(Source::Components, kComponents.data(), kComponents.size(), &bad));
    EXPECT_TRUE(site.update(Source::Memory, kMemory.data(), kMemory.size(), &bad));
    EXPECT_TRUE(site.update(Source::Network, kNetstat.data(), kNetstat.size(), &bad));
    EXPECT_TRUE(site.update(Source::Log, kLog.data(), kLog.size(), &bad));
  }

  // The whole body of path, generated `capacity` bytes at a time.
  std::string body(const std::string& path, size_t capacity = 4096, Response* kept = nullptr) {
    Response r;
    site.respond(Method::Get, path.data(), path.size(), r);
    std::string out;
    if (r.body == BodyKind::Bytes) {
      out.assign(reinterpret_cast<const char*>(r.data), r.size);
    } else if (r.body == BodyKind::Generated) {
      uint32_t cursor = 0;
      bool done = false;
      std::vector<char> buffer(capacity);
      for (int guard = 0; !done && guard < 10000; ++guard) {
        const size_t n = site.generate(r, &cursor, buffer.data(), capacity, &done);
        EXPECT_TRUE(n > 0 || done) << "no progress with " << capacity << " bytes";
        out.append(buffer.data(), n);
      }
      EXPECT_TRUE(done);
    }
    if (kept) {
      *kept = r;
    } else {
      site.release(r);
    }
    return out;
  }

  Json json() {
    const std::string text = body("/api/status");
    Json j;
    JsonReader reader(text);
    EXPECT_TRUE(reader.parse(&j)) << reader.error() << "\n" << text;
    return j;
  }
};

TEST(HttpSite, StatusJson) {
  Fixture f;
  f.site.set_now_ms(12345);
  f.feed_all();
  const Json j = f.json();
  EXPECT_EQ(j["uptime_ms"].number, 12345);
  EXPECT_EQ(j["memory"]["total_bytes"].number, 134217728);
  EXPECT_EQ(j["memory"]["free_bytes"].number, 100663296);
  EXPECT_EQ(j["memory"]["kernel_heap_bytes"].number, 65536);
  const auto& c = j["components"].array;
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0]["name"].string, "startup");
  EXPECT_EQ(c[1]["name"].string, "tcpip");
  EXPECT_EQ(c[1]["state"].string, "running");
  EXPECT_EQ(c[1]["isolation"].string, "user");
  EXPECT_EQ(c[1]["restarts"].number, 2);
  EXPECT_EQ(c[1]["memory_bytes"].number, 5242880);
  EXPECT_EQ(c[1]["memory_limit_bytes"].number, 8388608);
  EXPECT_EQ(c[1]["threads"].number, 1);
  EXPECT_EQ(c[1]["last_exit"].string, "killed (by request)");
  EXPECT_EQ(c[2]["name"].string, "ht<b>\"x\"");
  EXPECT_EQ(c[2]["last_exit"].string, "exited (exit, code 0)");
  EXPECT_EQ(j["network"]["ipv4.in"].number, 12);
  EXPECT_EQ(j["network"]["tcp.established"].number, 3);
  EXPECT_EQ(j["network"].object.size(), 3u);
  const auto& log = j["log"].array;
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].string, "[  0.001] kernel: ready");
  // Escaped on the way out, decoded the same: ill-formed UTF-8 becomes U+FFFD.
  EXPECT_EQ(
      log[1].string,
      "quote \" backslash \\ tab\t bell \x07 <tag> & caf\xc3\xa9 bad \xef\xbf\xbd\xef\xbf\xbd end");
  EXPECT_TRUE(j.has("httpd"));
  EXPECT_EQ(j["httpd"]["status_answers"].number, 4);
}

TEST(HttpSite, StatusJsonBeforeAnyAnswer) {
  Fixture f;
  const Json j = f.json();
  EXPECT_EQ(j["memory"]["total_bytes"].type, Json::Type::Null);
  EXPECT_TRUE(j["components"].array.empty());
  EXPECT_TRUE(j["network"].object.empty());
  EXPECT_TRUE(j["log"].array.empty());
}

// The boot id: null (JSON) and "not known yet" (page) until set; only 32 lowercase hex digits
// are taken.
TEST(HttpSite, BootId) {
  Fixture f;
  const Json before = f.json();
  ASSERT_EQ(before.object.count("boot_id"), 1u);
  EXPECT_EQ(before["boot_id"].type, Json::Type::Null);
  EXPECT_NE(f.body("/").find("<dd id=\"boot_id\">not known yet</dd>"), std::string::npos);
  const std::string id = "0123456789abcdef0123456789abcdef";
  EXPECT_FALSE(f.site.set_boot_id(id.data(), id.size() - 1));                // short
  EXPECT_FALSE(f.site.set_boot_id("0123456789ABCDEF0123456789abcdef", 32));  // upper case
  EXPECT_FALSE(f.site.set_boot_id("0123456789abcdef0123456789abcde<", 32));
  EXPECT_EQ(f.json()["boot_id"].type, Json::Type::Null);
  EXPECT_TRUE(f.site.set_boot_id(id.data(), id.size()));
  EXPECT_EQ(f.json()["boot_id"].string, id);
  EXPECT_NE(f.body("/").find("<dd id=\"boot_id\">" + id + "</dd>"), std::string::npos);
}

TEST(HttpSite, Page) {
  Fixture f;
  f.site.set_now_ms(3723400);  // 1 h 2 min 3.4 s
  const std::string empty = f.body("/");
  EXPECT_NE(empty.find("No answer from the startup server yet"), std::string::npos);
  f.feed_all();
  const std::string page = f.body("/");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<h1>Stellina</h1>"), std::string::npos);
  EXPECT_NE(page.find("<dd id=\"uptime\">1 h 2 min 3.4 s</dd>"), std::string::npos);
  EXPECT_NE(page.find("96.0 MiB free of 128.0 MiB; kernel heap 64.0 KiB"), std::string::npos);
  EXPECT_NE(page.find("<td>ht&lt;b&gt;&quot;x&quot;</td>"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);  // nothing from the data as markup
  EXPECT_NE(page.find("5.0 MiB / 8.0 MiB"), std::string::npos);
  EXPECT_NE(page.find("<tr><th>tcp.established</th><td class=\"n\">3</td></tr>"),
            std::string::npos);
  EXPECT_NE(page.find("&lt;tag&gt; &amp; caf\xc3\xa9 bad \xef\xbf\xbd\xef\xbf\xbd end\n"),
            std::string::npos);
  EXPECT_EQ(page.find('\x07'), std::string::npos);
  EXPECT_NE(page.find("src=\"/static/live.js\""), std::string::npos);
  EXPECT_NE(page.find("http-equiv=\"refresh\""), std::string::npos);  // without the script
  EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
}

// Pieces are whole: generated in any room of at least kMinGenerateRoom, the body is the same.
TEST(HttpSite, SameBodyInAnyRoom) {
  Fixture f;
  f.feed_all();
  std::string log;
  for (int i = 0; i < 12; ++i) log += std::string(300, static_cast<char>('a' + i)) + "\"\n";
  size_t bad = 0;
  ASSERT_TRUE(f.site.update(Source::Log, log.data(), log.size(), &bad));
  for (const char* path : {"/", "/api/status"}) {
    const std::string whole = f.body(path, 1 << 20);
    for (size_t room : {httpd::kMinGenerateRoom, size_t{2500}, size_t{3000}, size_t{4083}}) {
      EXPECT_EQ(f.body(path, room), whole) << path << " in " << room;
    }
  }
  // Long lines are cut (at a character boundary), never the document.
  const Json j = f.json();
  ASSERT_EQ(j["log"].array.size(), 12u);
  EXPECT_EQ(j["log"].array[0].string, std::string(240, 'a'));
}

TEST(HttpSite, PinnedSnapshotsDoNotChange) {
  Fixture f;
  f.feed_all();
  Response held;
  const std::string before = f.body("/api/status", 4096, &held);
  EXPECT_EQ(f.site.snapshots().held(), 1u);
  // A new answer goes to a copy: the held response still renders what it began with.
  const std::string netstat = "ipv4.in 99\n";
  size_t bad = 0;
  ASSERT_TRUE(f.site.update(Source::Network, netstat.data(), netstat.size(), &bad));
  std::string again;
  uint32_t cursor = 0;
  bool done = false;
  std::vector<char> buffer(1 << 16);
  while (!done) {
    const size_t n = f.site.generate(held, &cursor, buffer.data(), buffer.size(), &done);
    again.append(buffer.data(), n);
  }
  // The data is the same; only the server's own counters are read as they are now.
  const auto data = [](const std::string& s) { return s.substr(0, s.find("\"httpd\":")); };
  EXPECT_EQ(data(again), data(before));
  EXPECT_NE(data(again).find("\"ipv4.in\":12"), std::string::npos);
  EXPECT_NE(f.body("/api/status").find("\"ipv4.in\":99"), std::string::npos);
  f.site.release(held);
  EXPECT_EQ(f.site.snapshots().held(), 0u);

  // With every snapshot held, an answer is dropped and counted.
  std::vector<Response> responses(httpd::SnapshotPool::kSnapshots);
  for (Response& r : responses) {
    const std::string n = "ipv4.in " + std::to_string(&r - responses.data()) + "\n";
    ASSERT_TRUE(f.site.update(Source::Network, n.data(), n.size(), &bad));
    f.site.respond(Method::Get, "/", 1, r);
  }
  EXPECT_EQ(f.site.snapshots().held(), httpd::SnapshotPool::kSnapshots);
  EXPECT_FALSE(f.site.update(Source::Network, netstat.data(), netstat.size(), &bad));
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(f.counters.answers_dropped, 1u);
  for (Response& r : responses) f.site.release(r);
  EXPECT_TRUE(f.site.update(Source::Network, netstat.data(), netstat.size(), &bad));
}

TEST(HttpSite, MalformedAnswersAreRefused) {
  Fixture f;
  f.feed_all();
  struct Case {
    Source source;
    std::string text;
    size_t line;
  };
  const Case cases[] = {
      {Source::Components, "a running user 0 1 2 3 x\nb running user x 1 2 3 -\n", 2},
      {Source::Components, "a running user 0 1 2 3\n", 1},  // no last exit
      {Source::Components, "\n\na running user 0 1 2 99999999999999999999 -\n", 3},
      {Source::Memory, "total_bytes\n", 1},
      {Source::Memory, "total_bytes 12 extra\n", 1},
      {Source::Network, "ipv4.in 1\nipv4.out -3\n", 2},
      {Source::Log, "nul \0 inside\n"s, 1},
  };
  for (const Case& c : cases) {
    size_t bad = 0;
    EXPECT_FALSE(f.site.update(c.source, c.text.data(), c.text.size(), &bad)) << c.text;
    EXPECT_EQ(bad, c.line) << c.text;
  }
  EXPECT_EQ(f.counters.answers_bad, std::size(cases));
  // The last good answers stay.
  const Json j = f.json();
  EXPECT_EQ(j["components"].array.size(), 3u);
  EXPECT_EQ(j["memory"]["total_bytes"].number, 134217728);
}

TEST(HttpSite, StaticFiles) {
  Fixture f;
  static const uint8_t css[] = "body { color: black; }\n";
  static const uint8_t js[] = "refresh();\n";
  EXPECT_TRUE(f.site.add_file("style.css", 9, css, sizeof(css) - 1));
  EXPECT_TRUE(f.site.add_file("live.js", 7, js, sizeof(js) - 1));
  EXPECT_FALSE(f.site.add_file("live.js", 7, js, 1));  // twice
  EXPECT_FALSE(f.site.add_file("../x", 4, js, 1));     // not a plain name
  EXPECT_FALSE(f.site.add_file("a/b", 3, js, 1));
  EXPECT_FALSE(f.site.add_file(".hidden", 7, js, 1));
  EXPECT_FALSE(f.site.add_file("", 0, js, 1));
  EXPECT_EQ(f.site.file_count(), 2u);
  Response r;
  f.site.respond(Method::Get, "/static/style.css", 17, r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(std::string(r.content_type), "text/css; charset=utf-8");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.data), r.size), "body { color: black; }\n");
  f.site.respond(Method::Head, "/static/live.js", 15, r);
  EXPECT_EQ(std::string(r.content_type), "text/javascript; charset=utf-8");
  for (const char* missing : {"/static/", "/static/style.cs", "/static/style.css/", "/style.css",
                              "/static/STYLE.CSS", "/favicon.ico", "/api/status/x", "//"}) {
    f.site.respond(Method::Get, missing, strlen(missing), r);
    EXPECT_EQ(r.status, 404) << missing;
    EXPECT_EQ(r.body, BodyKind::Bytes);
  }
  EXPECT_EQ(std::string(httpd::content_type_for("a.PNG", 5)), "image/png");
  EXPECT_EQ(std::string(httpd::content_type_for("README", 6)), "application/octet-stream");
  EXPECT_EQ(std::string(httpd::content_type_for("a.b/c", 5)), "application/octet-stream");
}

// A file read by its reader at its first request only; a read that fails is a 503 and is
// tried again at the next request.
struct CountingReader final : httpd::FileSource {
  std::string bytes = "graphs();\n";
  bool fail = false;
  int reads = 0;
  int lists = 0;
  void list_files() override { ++lists; }
  std::string last_name;
  bool read_file(const char* name, size_t name_size, const uint8_t** data, size_t* size) override {
    ++reads;
    last_name.assign(name, name_size);
    if (fail) return false;
    *data = reinterpret_cast<const uint8_t*>(bytes.data());
    *size = bytes.size();
    return true;
  }
};

TEST(HttpSite, FilesReadOnDemand) {
  Fixture f;
  CountingReader reader;
  EXPECT_FALSE(f.site.add_file_on_demand("graphs.js", 9, nullptr));  // no reader
  EXPECT_FALSE(f.site.add_file_on_demand("../x", 4, &reader));       // not a plain name
  EXPECT_TRUE(f.site.add_file_on_demand("graphs.js", 9, &reader));
  EXPECT_FALSE(f.site.add_file_on_demand("graphs.js", 9, &reader));  // twice
  EXPECT_EQ(reader.reads, 0);  // nothing read before a request
  Response r;
  f.site.set_file_source(&reader);
  f.site.respond(Method::Get, "/", 1, r);  // generated: no file listed, none read
  f.site.release(r);
  EXPECT_EQ(reader.lists, 0);
  f.site.respond(Method::Get, "/static/missing.js", 18, r);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(reader.lists, 1);  // listed before a file is looked for
  EXPECT_EQ(reader.reads, 0);
  reader.fail = true;
  f.site.respond(Method::Get, "/static/graphs.js", 17, r);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(reader.reads, 1);
  reader.fail = false;
  for (int i = 0; i < 3; ++i) {
    f.site.respond(Method::Get, "/static/graphs.js", 17, r);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(std::string(r.content_type), "text/javascript; charset=utf-8");
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.data), r.size), reader.bytes);
  }
  EXPECT_EQ(reader.reads, 2);  // the failed read, then one that is kept
  EXPECT_EQ(reader.last_name, "graphs.js");
  // The graphs page, served at the top by the history's route, is read on demand too.
  EXPECT_TRUE(f.site.add_file_on_demand("graphs.html", 11, &reader));
  f.site.respond(Method::Get, "/graphs.html", 12, r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(reader.last_name, "graphs.html");
  EXPECT_EQ(std::string(r.content_type), "text/html; charset=utf-8");
  EXPECT_EQ(reader.reads, 3);
}

TEST(HttpSite, PagesAtTheTop) {
  Fixture f;
  static const uint8_t html[] = "<!doctype html>\n";
  static const uint8_t css[] = "body {}\n";
  EXPECT_TRUE(f.site.add_file("terminal.html", 13, html, sizeof(html) - 1));
  EXPECT_TRUE(f.site.add_file("style.css", 9, css, sizeof(css) - 1));
  Response r;
  for (const char* path : {"/terminal.html", "/static/terminal.html"}) {
    f.site.respond(Method::Get, path, strlen(path), r);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(std::string(r.content_type), "text/html; charset=utf-8");
    EXPECT_EQ(r.size, sizeof(html) - 1);
  }
  // Only pages, only at the top, only files the site has.
  for (const char* missing : {"/style.css", "/x/terminal.html", "/terminal.htm", "/.html",
                              "/other.html", "/terminal.html/"}) {
    f.site.respond(Method::Get, missing, strlen(missing), r);
    EXPECT_EQ(r.status, 404) << missing;
  }
}

TEST(HttpSite, Bytes) {
  Fixture f;
  Response r;
  f.site.respond(Method::Get, "/bytes/67108864", 15, r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, BodyKind::Pattern);
  EXPECT_EQ(r.size, 67108864u);
  f.site.respond(Method::Get, "/bytes/0", 8, r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.size, 0u);
  for (const char* bad : {"/bytes/67108865", "/bytes/", "/bytes/-1", "/bytes/1k", "/bytes/1/",
                          "/bytes/999999999999", "/bytes"}) {
    f.site.respond(Method::Get, bad, strlen(bad), r);
    EXPECT_EQ(r.status, 404) << bad;
  }
}

TEST(HttpSite, RefreshWantedWhenDataIsOld) {
  Fixture f;
  f.site.set_now_ms(5000);
  f.feed_all();
  f.body("/");
  EXPECT_FALSE(f.site.take_refresh_wanted());
  f.site.set_now_ms(5000 + Site::kFreshMs + 1);
  f.body("/static/none");
  EXPECT_FALSE(f.site.take_refresh_wanted());  // only the live routes ask
  f.body("/api/status");
  EXPECT_TRUE(f.site.take_refresh_wanted());
  EXPECT_FALSE(f.site.take_refresh_wanted());
}

// The site behind a session: what a client reads is a chunked JSON document that parses.
TEST(HttpSite, ThroughASession) {
  Fixture f;
  f.feed_all();
  httpd::Session session;
  session.start(&f.site, &f.counters.http);
  const std::string request =
      "GET /api/status HTTP/1.1\r\nHost: x\r\n\r\nGET /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(session.receive(reinterpret_cast<const uint8_t*>(request.data()), request.size()));
  std::string out;
  std::vector<uint8_t> buffer(4096);
  while (session.has_output()) {
    const size_t n = session.peek(buffer.data(), buffer.size());
    out.append(reinterpret_cast<char*>(buffer.data()), n);
    session.commit();
  }
  const auto replies = httptest::read_replies(out);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].field("content-type"), "application/json");
  EXPECT_EQ(replies[0].field("cache-control"), "no-store");
  Json j;
  JsonReader reader(replies[0].body);
  ASSERT_TRUE(reader.parse(&j)) << reader.error();
  EXPECT_EQ(j["components"].array.size(), 3u);
  EXPECT_EQ(replies[1].body, std::string("\0\1\2\3\4\5\6\7\10\11", 10));
  EXPECT_EQ(f.site.snapshots().held(), 0u);
}

TEST(HttpWriter, Utf8Sequences) {
  auto seq = [](const std::string& s) {
    return httpd::utf8_sequence(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_EQ(seq("a"), 1u);
  EXPECT_EQ(seq("\xc3\xa9"), 2u);
  EXPECT_EQ(seq("\xe2\x82\xac"), 3u);
  EXPECT_EQ(seq("\xf0\x9f\x98\x80"), 4u);
  EXPECT_EQ(seq("\xc3"), 0u);              // cut short
  EXPECT_EQ(seq("\x80"), 0u);              // stray continuation
  EXPECT_EQ(seq("\xc0\xaf"), 0u);          // overlong
  EXPECT_EQ(seq("\xe0\x80\xaf"), 0u);      // overlong
  EXPECT_EQ(seq("\xed\xa0\x80"), 0u);      // a surrogate
  EXPECT_EQ(seq("\xf4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(seq("\xff"), 0u);
}

TEST(HttpWriter, EscapesAndOverflow) {
  char buffer[64];
  httpd::Writer w(buffer, sizeof(buffer));
  w.json_string("a\"b\\c\n\x01", 7);
  EXPECT_EQ(std::string(buffer, w.size()), "\"a\\\"b\\\\c\\u000a\\u0001\"");
  httpd::Writer h(buffer, sizeof(buffer));
  h.html_text("<a href='x'>&</a>\r\n", 19);
  EXPECT_EQ(std::string(buffer, h.size()), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;\n");
  // What does not fit is not written at all.
  httpd::Writer small(buffer, 8);
  small.text("abc");
  small.json_string("\"\"\"\"", 4);
  EXPECT_TRUE(small.overflowed());
  EXPECT_EQ(std::string(buffer, small.size()), "abc");
  small.number(1);
  EXPECT_EQ(small.size(), 3u);
  httpd::Writer n(buffer, sizeof(buffer));
  n.number(0);
  n.character(' ');
  n.number(18446744073709551615u);
  n.character(' ');
  n.hex(0xbeef);
  EXPECT_EQ(std::string(buffer, n.size()), "0 18446744073709551615 beef");
}

TEST(HttpResponse, Heads) {
  char buffer[512];
  httpd::ResponseHead head;
  head.status = 405;
  head.content_type = "text/plain";
  head.content_length = 12;
  head.allow = true;
  head.close = true;
  size_t n = httpd::write_head(head, buffer, sizeof(buffer));
  EXPECT_EQ(std::string(buffer, n),
            "HTTP/1.1 405 Method Not Allowed\r\nServer: Stellina\r\nContent-Type: text/plain\r\n"
            "Content-Length: 12\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n");
  head = {};
  head.framing = httpd::Framing::Chunked;
  head.no_store = true;
  n = httpd::write_head(head, buffer, sizeof(buffer));
  EXPECT_EQ(std::string(buffer, n),
            "HTTP/1.1 200 OK\r\nServer: Stellina\r\nTransfer-Encoding: chunked\r\n"
            "Cache-Control: no-store\r\n\r\n");
  EXPECT_EQ(httpd::write_head(head, buffer, 20), 0u);
  for (uint16_t s : {400, 404, 405, 413, 414, 431, 501, 505}) {
    EXPECT_NE(std::string(httpd::reason_phrase(s)), "Unknown") << s;
  }
}

}  // namespace
