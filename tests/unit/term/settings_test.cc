// term's settings file (servers/term/settings.h).
#include "servers/term/settings.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using term::Settings;

size_t parse(const std::string& text, Settings& s) {
  return term::parse_settings(lib::StringView(text.data(), text.size()), s);
}

TEST(TermSettings, Overrides) {
  Settings s;
  EXPECT_FALSE(s.telnet_on());
  EXPECT_FALSE(s.web_on());
  EXPECT_EQ(parse("# written by make run\n"
                  "telnet_port = 23\n"
                  "\n"
                  "  web=true   # the web terminal\n"
                  "password = \"pbkdf2-sha256$2$c2FsdHNhbHQ=$j0Xr2TDUGb2ExAqHE9c43A==\"\r\n"
                  "login_timeout = 5",
                  s),
            0u);
  EXPECT_EQ(s.telnet_port, 23);
  EXPECT_TRUE(s.web);
  EXPECT_EQ(std::string(s.password), "pbkdf2-sha256$2$c2FsdHNhbHQ=$j0Xr2TDUGb2ExAqHE9c43A==");
  EXPECT_EQ(s.login_timeout_s, 5);
  EXPECT_TRUE(s.telnet_on());
  EXPECT_TRUE(s.web_on());
  // A key not given keeps its value.
  EXPECT_EQ(parse("web = false\n", s), 0u);
  EXPECT_FALSE(s.web_on());
  EXPECT_EQ(s.telnet_port, 23);
  // No password, no remote shells.
  EXPECT_EQ(parse("password = \"\"\n", s), 0u);
  EXPECT_FALSE(s.telnet_on());
}

TEST(TermSettings, ErrorsRefuseTheWholeFile) {
  for (const char* bad : {"telnet_port = 65536",
                          "telnet_port = -1",
                          "telnet_port = \"23\"",
                          "web = yes",
                          "password = unquoted",
                          "password = \"a b\"",
                          "password = \"open",
                          "login_timeout = 0",
                          "login_timeout = 3601",
                          "colour = blue",
                          "telnet_port",
                          "= 1",
                          "web = true\nweb = false",
                          "password = \"x\" trailing",
                          "telnet_port = 4294967319",
                          "telnet_port = 18446744073709551639",
                          "telnet_port = 18446744073709551620",
                          "telnet_port = +23",
                          "telnet_port =",
                          "telnet_port = 2 3"}) {
    Settings s;
    const std::string text = std::string("telnet_port = 23\n") + bad + "\n";
    const size_t line = parse(text, s);
    EXPECT_GE(line, 2u) << bad;
    EXPECT_EQ(s.telnet_port, 0) << bad;  // nothing applied
  }
  Settings s;
  EXPECT_EQ(parse("password = \"" + std::string(lib::kPasswordRecordMax + 1, 'a') + "\"", s), 1u);
}

TEST(TermSettings, PortBoundaries) {
  for (const auto& [text, port] : {std::pair{"0", 0}, {"65535", 65535}, {"000023", 23}}) {
    Settings s;
    EXPECT_EQ(parse(std::string("telnet_port = ") + text + "\n", s), 0u) << text;
    EXPECT_EQ(s.telnet_port, port) << text;
  }
}

}  // namespace
