#include "servers/startup/config.h"

#include <lib/checked_number.h>
#include <lib/string_view.h>

#include "servers/startup/supervisor.h"

namespace startup {
namespace {

// A NAME.KEY=VALUE word, split.
struct Word {
  lib::StringView component, key, value;
};

// Splits word; false for a word that is not of that form (the kernel's own, key=value).
bool split(lib::StringView word, Word& out) {
  const size_t equals = word.find('=');
  if (equals == lib::StringView::kNpos) return false;
  const size_t dot = word.substr(0, equals).find('.');
  if (dot == lib::StringView::kNpos) return false;
  out = {word.substr(0, dot), word.substr(dot + 1, equals - dot - 1), word.substr(equals + 1)};
  return true;
}

// Calls each(word) for every space-separated word of text.
template <typename Each>
void for_each_word(lib::StringView text, Each each) {
  size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && text[at] == ' ') ++at;
    size_t end = at;
    while (end < text.size() && text[end] != ' ') ++end;
    if (end > at) each(text.substr(at, end - at));
    at = end;
  }
}

// The component named name, or manifest.count().
size_t find_component(const lib::Manifest& manifest, lib::StringView name) {
  for (size_t i = 0; i < manifest.count(); ++i)
    if (lib::StringView(manifest.component(i).name) == name) return i;
  return manifest.count();
}

// Why a word's key or value does not fit component i's spec, or null if it does.
const char* refusal(const lib::Manifest& manifest, size_t i, const Word& w) {
  const lib::Manifest::Component c = manifest.component(i);
  for (size_t k = 0; k < c.config_count; ++k) {
    const lib::Manifest::Config config = manifest.config(i, k);
    if (lib::StringView(config.field) != w.key) continue;
    switch (config.type) {
      case lib::Manifest::ConfigType::Integer:
        return lib::parse_signed_decimal(w.value).ok() ? nullptr : "not a decimal integer";
      case lib::Manifest::ConfigType::Boolean:
        return w.value == "true" || w.value == "false" ? nullptr : "neither true nor false";
      case lib::Manifest::ConfigType::String: return nullptr;
    }
  }
  return "no such config key in its spec";
}

}  // namespace

void CommandLineConfig::init(const char* text, size_t size, const lib::Manifest& manifest,
                             stellina::abi::Handle log) {
  size_ = size < kMaxCommandLine ? size : kMaxCommandLine - 1;
  for (size_t i = 0; i < size_; ++i) text_[i] = text[i] ? text[i] : ' ';
  for_each_word(lib::StringView(text_, size_), [&](lib::StringView word) {
    Word w;
    if (!split(word, w)) return;
    const size_t i = find_component(manifest, w.component);
    const char* why = i == manifest.count() ? "no such component" : refusal(manifest, i, w);
    if (why) return say(log, "kernel command line: {}: {}: left out", word, why);
    say(log, "kernel command line: {} config {} = {}", w.component, w.key, w.value);
  });
}

void CommandLineConfig::value(const lib::Manifest& manifest, size_t i, lib::StringView key,
                              lib::StringView* value) const {
  const lib::StringView name(manifest.component(i).name);
  for_each_word(lib::StringView(text_, size_), [&](lib::StringView word) {
    Word w;
    if (split(word, w) && w.component == name && w.key == key && !refusal(manifest, i, w))
      *value = w.value;
  });
}

}  // namespace startup
