// The site's history (apps/httpd/history.h): samples from `processes` answers and the
// counters, the ring, and /api/history as JSON.
#include "apps/httpd/history.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/httpd/site.h"
#include "tests/unit/http/json.h"

namespace {

using httpd::BodyKind;
using httpd::History;
using httpd::Method;
using httpd::Readings;
using httpd::Response;
using httpd::Site;
using httpd::Source;
using httptest::Json;
using httptest::JsonReader;

// A `processes` answer: per component NAME, its CPU_NS and MEMORY_BYTES.
struct Proc {
  std::string name;
  uint64_t cpu_ns;
  uint64_t memory;
};
std::string processes(const std::vector<Proc>& list) {
  std::string text;
  for (const Proc& p : list) {
    text += p.name + " running user 7 - 0 " + std::to_string(p.memory) + " 8388608 1 4 1 " +
            std::to_string(p.cpu_ns) + " -\n";
  }
  return text;
}

Readings at(uint64_t t_ms, uint64_t bytes_in = 0, uint64_t requests = 0) {
  Readings r;
  r.t_ms = t_ms;
  r.has_network = true;
  r.bytes_in = bytes_in;
  r.bytes_out = bytes_in * 2;
  r.packets_in = bytes_in / 100;
  r.packets_out = bytes_in / 50;
  r.requests = requests;
  r.has_memory = true;
  r.memory_total_bytes = 128 << 20;
  r.memory_free_bytes = 100 << 20;
  return r;
}

bool record(History& h, const Readings& r, const std::vector<Proc>& list) {
  const std::string text = processes(list);
  return h.record(r, text.data(), text.size());
}

// The whole JSON of samples [begin, end), generated `room` bytes at a time.
std::string generate(const History& h, uint32_t begin, uint32_t end, size_t room) {
  std::string out;
  std::vector<char> buffer(room);
  uint32_t cursor = 0;
  bool done = false;
  for (int guard = 0; !done && guard < 100000; ++guard) {
    const size_t n = h.generate(begin, end, &cursor, buffer.data(), room, &done);
    EXPECT_TRUE(n > 0 || done) << "no progress in " << room << " bytes";
    out.append(buffer.data(), n);
  }
  EXPECT_TRUE(done);
  return out;
}

Json parse(const std::string& text) {
  Json j;
  JsonReader reader(text);
  EXPECT_TRUE(reader.parse(&j)) << reader.error() << "\n" << text.substr(0, 400);
  return j;
}

TEST(HttpHistory, ParseProcessLine) {
  httpd::ProcessLine p;
  const std::string line = "tcpip running user 12 net 2 5242880 8388608 3 8 1 987654321 exit:0";
  ASSERT_TRUE(httpd::parse_process({line.data(), line.size()}, &p));
  EXPECT_TRUE(p.name.equals("tcpip"));
  EXPECT_TRUE(p.state.equals("running"));
  EXPECT_EQ(p.memory_bytes, 5242880u);
  EXPECT_EQ(p.cpu_ns, 987654321u);
  // A `components` line has too few fields; a field that is not a number is refused.
  const std::string short_line = "tcpip running user 2 5242880 8388608 1 -";
  EXPECT_FALSE(httpd::parse_process({short_line.data(), short_line.size()}, &p));
  const std::string bad = "tcpip running user 12 net 2 5242880 8388608 3 8 1 98x -";
  EXPECT_FALSE(httpd::parse_process({bad.data(), bad.size()}, &p));
  size_t bad_line = 0;
  const std::string answer = processes({{"a", 1, 4096}}) + bad + "\n";
  EXPECT_FALSE(httpd::check_answer(Source::Processes, answer.data(), answer.size(), &bad_line));
  EXPECT_EQ(bad_line, 2u);
  const std::string good = processes({{"a", 1, 4096}, {"b", 2, 8192}});
  EXPECT_TRUE(httpd::check_answer(Source::Processes, good.data(), good.size(), &bad_line));
}

TEST(HttpHistory, FirstAnswerIsTheBaseline) {
  History h;
  EXPECT_FALSE(record(h, at(1000, 500, 3), {{"httpd", 1'000'000, 1 << 20}}));
  EXPECT_EQ(h.end(), 0u);
  EXPECT_EQ(h.series(), 1u);
  EXPECT_STREQ(h.series_name(0), "httpd");
  ASSERT_TRUE(record(h, at(2000, 1500, 10), {{"httpd", 251'000'000, 2 << 20}}));
  ASSERT_EQ(h.end(), 1u);
  const History::Sample& s = h.sample(0);
  EXPECT_EQ(s.t_ms, 2000u);
  EXPECT_EQ(s.dt_ms, 1000u);
  EXPECT_EQ(s.bytes_in, 1000u);
  EXPECT_EQ(s.bytes_out, 2000u);
  EXPECT_EQ(s.packets_in, 10u);
  EXPECT_EQ(s.packets_out, 20u);
  EXPECT_EQ(s.requests, 7u);
  EXPECT_EQ(s.memory_used_bytes, uint64_t{28} << 20);
  EXPECT_EQ(s.cpu_us[0], 250'000u);
  EXPECT_EQ(s.memory_kib[0], 2048u);
}

TEST(HttpHistory, TooSoonIsIgnored) {
  History h;
  record(h, at(1000), {{"a", 0, 0}});
  EXPECT_TRUE(record(h, at(2000, 100), {{"a", 1000, 0}}));
  // 500 ms later: not a sample, and the counters' baseline stays where it was.
  EXPECT_FALSE(record(h, at(2500, 150), {{"a", 5000, 0}}));
  EXPECT_TRUE(record(h, at(3000, 300), {{"a", 9000, 0}}));
  ASSERT_EQ(h.end(), 2u);
  EXPECT_EQ(h.sample(1).dt_ms, 1000u);
  EXPECT_EQ(h.sample(1).bytes_in, 200u);
  EXPECT_EQ(h.sample(1).cpu_us[0], 8u);
}

TEST(HttpHistory, RestartsAndNewComponents) {
  History h;
  record(h, at(1000, 5000), {{"a", 9'000'000, 4096}});
  // The stack restarted (its counters begin again) and so did a (its silo is new): what
  // they count now is what happened since.
  Readings r = at(2000, 300);
  ASSERT_TRUE(record(h, r, {{"a", 2'000'000, 8192}, {"b", 7'000'000, 4096}}));
  const History::Sample& s = h.sample(0);
  EXPECT_EQ(s.bytes_in, 300u);
  EXPECT_EQ(s.cpu_us[0], 2000u);
  EXPECT_EQ(s.cpu_us[1], 0u);  // b first seen: nothing to compare with
  EXPECT_EQ(s.memory_kib[1], 4u);
  ASSERT_EQ(h.series(), 2u);
  ASSERT_TRUE(record(h, at(3000, 400), {{"a", 2'000'000, 8192}, {"b", 7'500'000, 4096}}));
  EXPECT_EQ(h.sample(1).cpu_us[1], 500u);
  // No network answer yet at the baseline: no traffic counted until there is one.
  History n;
  Readings none = at(1000);
  none.has_network = false;
  record(n, none, {});
  ASSERT_TRUE(record(n, at(2000, 1'000'000), {}));
  EXPECT_EQ(n.sample(0).bytes_in, 0u);
  ASSERT_TRUE(record(n, at(3000, 1'000'100), {}));
  EXPECT_EQ(n.sample(1).bytes_in, 100u);
}

TEST(HttpHistory, SeriesTableIsBounded) {
  History h;
  std::vector<Proc> many;
  for (size_t i = 0; i < httpd::kHistorySeries + 5; ++i)
    many.push_back({"c" + std::to_string(i), i * 1000, 4096});
  many.push_back({std::string(100, 'n'), 0, 0});  // clipped, still one series
  record(h, at(1000), many);
  record(h, at(2000), many);
  EXPECT_EQ(h.series(), httpd::kHistorySeries);
  EXPECT_EQ(h.end(), 1u);
}

TEST(HttpHistory, RingKeepsTheLastSamples) {
  History h;
  record(h, at(0), {{"a", 0, 4096}});
  const uint32_t total = httpd::kHistoryCapacity + 100;
  for (uint32_t i = 1; i <= total; ++i) {
    ASSERT_TRUE(record(h, at(i * 1000, i * 10, i), {{"a", i * 1'000'000ull, 4096}}));
  }
  EXPECT_EQ(h.end(), total);
  EXPECT_EQ(h.window_begin(), total - httpd::kHistoryWindow);
  EXPECT_TRUE(h.kept(total - httpd::kHistoryCapacity));
  EXPECT_FALSE(h.kept(total - httpd::kHistoryCapacity - 1));
  EXPECT_FALSE(h.kept(total));
  EXPECT_EQ(h.sample(total - 1).t_ms, uint64_t{total} * 1000);
  EXPECT_EQ(h.sample(h.window_begin()).t_ms, uint64_t{h.window_begin() + 1} * 1000);
  // first_after: within the window only.
  EXPECT_EQ(h.first_after(0), h.window_begin());
  EXPECT_EQ(h.first_after(uint64_t{total - 10} * 1000), total - 10);
  EXPECT_EQ(h.first_after(uint64_t{total - 10} * 1000 - 1), total - 11);  // seq k at (k+1) s
  EXPECT_EQ(h.first_after(uint64_t{total - 9} * 1000), total - 9);
  EXPECT_EQ(h.first_after(uint64_t{total} * 1000), total);
}

TEST(HttpHistory, Json) {
  History h;
  EXPECT_EQ(parse(generate(h, 0, 0, 4096))["samples"].array.size(), 0u);
  record(h, at(1000), {{"httpd", 0, 1 << 20}, {"tc\"p", 0, 0}});
  record(h, at(2000, 100, 1), {{"httpd", 3'000'000, 1 << 20}, {"tc\"p", 500'000, 8192}});
  record(h, at(3100, 300, 4), {{"httpd", 4'000'000, 2 << 20}, {"tc\"p", 500'000, 8192}});
  const Json j = parse(generate(h, 0, h.end(), 1 << 16));
  EXPECT_EQ(j["interval_ms"].number, 1000);
  EXPECT_EQ(j["window_ms"].number, 600000);
  EXPECT_EQ(j["memory_total_bytes"].number, 128 << 20);
  ASSERT_EQ(j["components"].array.size(), 2u);
  EXPECT_EQ(j["components"].array[1].string, "tc\"p");
  ASSERT_EQ(j["fields"].array.size(), 10u);
  EXPECT_EQ(j["fields"].array[0].string, "t_ms");
  EXPECT_EQ(j["fields"].array[8].string, "cpu_us");
  const auto& samples = j["samples"].array;
  ASSERT_EQ(samples.size(), 2u);
  const auto& s = samples[1].array;
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s[0].number, 3100);  // t_ms
  EXPECT_EQ(s[1].number, 1100);  // dt_ms
  EXPECT_EQ(s[2].number, 200);   // bytes_in
  EXPECT_EQ(s[3].number, 400);   // bytes_out
  EXPECT_EQ(s[6].number, 3);     // requests
  EXPECT_EQ(s[7].number, 28 << 20);
  ASSERT_EQ(s[8].array.size(), 2u);
  EXPECT_EQ(s[8].array[0].number, 1000);  // httpd: 1 ms of CPU in the interval
  EXPECT_EQ(s[8].array[1].number, 0);
  EXPECT_EQ(s[9].array[0].number, 2 << 20);
  EXPECT_EQ(s[9].array[1].number, 8192);
  EXPECT_EQ(samples[0].array[8].array[1].number, 500);
}

// A full window of samples with every series, in the least room a generated piece is given.
TEST(HttpHistory, WholeWindowInAnyRoom) {
  History h;
  std::vector<Proc> all;
  for (size_t i = 0; i < httpd::kHistorySeries; ++i)
    all.push_back({std::string(31, static_cast<char>('a' + i)), 0, uint64_t{1} << 40});
  for (uint32_t i = 0; i <= httpd::kHistoryCapacity; ++i) {
    for (Proc& p : all) p.cpu_ns += 5'000'000'000'000ull;  // clamped, the widest numbers
    Readings r = at(uint64_t{i} * 1000 + 1'000'000'000'000, uint64_t{i} << 33, uint64_t{i} << 33);
    record(h, r, all);
  }
  const std::string whole = generate(h, h.window_begin(), h.end(), 1 << 22);
  const Json j = parse(whole);
  ASSERT_EQ(j["samples"].array.size(), httpd::kHistoryWindow);
  EXPECT_EQ(j["samples"].array[5].array[8].array[3].number, 4294967295.0);
  for (size_t room : {httpd::kMinGenerateRoom, size_t{3000}, size_t{4083}}) {
    EXPECT_EQ(generate(h, h.window_begin(), h.end(), room), whole) << room;
  }
  std::printf("a full window: %zu bytes of JSON; the ring: %zu bytes\n", whole.size(),
              sizeof(History));
}

// Through the site: /api/history from the `processes` answers, with the stack's counters and
// the memory of the snapshot, and the requests the server counted.
struct SiteFixture {
  httpd::ServerCounters counters;
  Site site{&counters};

  void feed(uint64_t t_ms, uint64_t bytes_in, uint64_t cpu_ns) {
    site.set_now_ms(t_ms);
    size_t bad = 0;
    const std::string netstat = "frames.in " + std::to_string(bytes_in / 100) +
                                "\nframes.out 7\nbytes.in " + std::to_string(bytes_in) +
                                "\nbytes.out 1000\n";
    const std::string memory = "total_bytes 134217728\nfree_bytes 100663296\n";
    ASSERT_TRUE(site.update(Source::Network, netstat.data(), netstat.size(), &bad));
    ASSERT_TRUE(site.update(Source::Memory, memory.data(), memory.size(), &bad));
    const std::string p = processes({{"httpd", cpu_ns, 2 << 20}, {"tcpip", cpu_ns / 2, 4096}});
    ASSERT_TRUE(site.update(Source::Processes, p.data(), p.size(), &bad));
  }

  std::string body(const std::string& path, Response* kept = nullptr) {
    Response r;
    site.respond(Method::Get, path.data(), path.size(), r);
    std::string out;
    if (r.body == BodyKind::Bytes) out.assign(reinterpret_cast<const char*>(r.data), r.size);
    if (r.body == BodyKind::Generated) {
      std::vector<char> buffer(4096);
      uint32_t cursor = 0;
      bool done = false;
      while (!done)
        out.append(buffer.data(), site.generate(r, &cursor, buffer.data(), 4096, &done));
    }
    if (r.status == 404) out = "404";
    if (kept) {
      *kept = r;
    } else {
      site.release(r);
    }
    return out;
  }
};

TEST(HttpHistory, ThroughTheSite) {
  SiteFixture f;
  EXPECT_EQ(parse(f.body("/api/history"))["samples"].array.size(), 0u);
  for (uint64_t i = 0; i < 5; ++i) {
    f.counters.http.requests = i * 2;
    f.feed(10'000 + i * 1000, 1000 * i, i * 10'000'000);
  }
  Response r;
  f.site.respond(Method::Get, "/api/history", 12, r);
  EXPECT_EQ(std::string(r.content_type), "application/json");
  EXPECT_TRUE(r.no_store);
  EXPECT_EQ(r.body, BodyKind::Generated);
  f.site.release(r);
  const Json j = parse(f.body("/api/history"));
  ASSERT_EQ(j["samples"].array.size(), 4u);
  ASSERT_EQ(j["components"].array.size(), 2u);
  EXPECT_EQ(j["components"].array[0].string, "httpd");
  EXPECT_EQ(j["memory_total_bytes"].number, 134217728);
  for (const Json& s : j["samples"].array) {
    EXPECT_EQ(s.array[1].number, 1000);            // dt_ms
    EXPECT_EQ(s.array[2].number, 1000);            // bytes_in
    EXPECT_EQ(s.array[4].number, 10);              // packets_in: frames.in
    EXPECT_EQ(s.array[5].number, 0);               // packets_out: frames.out did not move
    EXPECT_EQ(s.array[6].number, 2);               // requests
    EXPECT_EQ(s.array[7].number, 32 << 20);        // memory in use
    EXPECT_EQ(s.array[8].array[0].number, 10000);  // httpd: 10 ms of CPU a second
    EXPECT_EQ(s.array[8].array[1].number, 5000);
  }
  // Only what is newer than a time.
  const Json since = parse(f.body("/api/history/since/12000"));
  ASSERT_EQ(since["samples"].array.size(), 2u);
  EXPECT_EQ(since["samples"].array[0].array[0].number, 13000);
  EXPECT_EQ(parse(f.body("/api/history/since/99999"))["samples"].array.size(), 0u);
  EXPECT_EQ(f.body("/api/history/since/"), "404");
  EXPECT_EQ(f.body("/api/history/since/12x"), "404");
  EXPECT_EQ(f.body("/api/history/"), "404");
  // Processes answers are not kept as text: the snapshots hold nothing for them.
  EXPECT_FALSE(f.site.snapshots().current().has(Source::Processes));
  EXPECT_EQ(f.site.snapshots().current().get(Source::Processes).size, 0u);
  // A malformed answer is refused and counted.
  size_t bad = 0;
  const std::string broken = "httpd running\n";
  EXPECT_FALSE(f.site.update(Source::Processes, broken.data(), broken.size(), &bad));
  EXPECT_EQ(bad, 1u);
}

// A response lists the samples there were when it came, even as more arrive; one that
// lasted so long that its oldest samples were overwritten shows them as null.
TEST(HttpHistory, ResponsesKeepTheirRange) {
  SiteFixture f;
  for (uint64_t i = 0; i < 11; ++i) f.feed(1000 * (i + 1), 0, 0);
  Response held;
  f.body("/api/history", &held);
  EXPECT_EQ(f.site.snapshots().held(), 0u);  // a history response pins no snapshot
  for (uint64_t i = 11; i < 14; ++i) f.feed(1000 * (i + 1), 0, 0);
  std::string text;
  std::vector<char> buffer(4096);
  uint32_t cursor = 0;
  bool done = false;
  while (!done)
    text.append(buffer.data(), f.site.generate(held, &cursor, buffer.data(), 4096, &done));
  const Json j = parse(text);
  ASSERT_EQ(j["samples"].array.size(), 10u);
  EXPECT_EQ(j["samples"].array[9].array[0].number, 11000);
  // Overwritten: the ring went round while it was held.
  for (uint64_t i = 14; i < 14 + httpd::kHistoryCapacity; ++i) f.feed(1000 * (i + 1), 0, 0);
  text.clear();
  cursor = 0;
  done = false;
  while (!done)
    text.append(buffer.data(), f.site.generate(held, &cursor, buffer.data(), 4096, &done));
  const Json late = parse(text);
  ASSERT_EQ(late["samples"].array.size(), 10u);
  EXPECT_EQ(late["samples"].array[0].type, Json::Type::Null);
  f.site.release(held);
}

TEST(HttpHistory, GraphsPage) {
  SiteFixture f;
  EXPECT_EQ(f.body("/graphs.html"), "404");  // not among the site's files
  const std::string page = "<!DOCTYPE html><title>graphs</title>";
  ASSERT_TRUE(f.site.add_file("graphs.html", 11, reinterpret_cast<const uint8_t*>(page.data()),
                              page.size()));
  Response r;
  f.site.respond(Method::Get, "/graphs.html", 12, r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(std::string(r.content_type), "text/html; charset=utf-8");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.data), r.size), page);
  EXPECT_EQ(f.body("/static/graphs.html"), page);
  // The home page links it.
  EXPECT_NE(f.body("/").find("href=\"/graphs.html\""), std::string::npos);
}

}  // namespace
