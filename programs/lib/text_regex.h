#pragma once
// POSIX regular expressions over bytes (the C locale), basic (BRE) and extended (ERE), with
// the GNU extensions grep users expect: \| \+ \? in a BRE, \< \> \b \B \w \W \s \S. Matching
// is a Thompson NFA simulation: time O(text * program), memory fixed, whatever the pattern,
// so a hostile pattern cannot make it go exponential. No backreferences (refused at
// compile time: they would need backtracking).
//
//   static text::Regex re;  // about 200 KiB: keep it static or on the heap
//   if (re.compile("ab*c", text::kExtended) != text::RegexError::kNone) ...
//   if (re.matches(line)) ...
//   size_t from, to;
//   if (re.search(line, &from, &to)) ...  // leftmost-longest
//
// Several patterns may be compiled as one (grep -e A -e B): compile the first, add() the
// others; a line matches if any of them does.
//
// Groups (sed's \1 .. \9): compiled with kSubmatches, a pattern records where its first
// kRegexMaxGroups groups begin and end. The match itself is found as above; groups() then
// runs a second simulation over that span alone, whose threads carry the groups' positions
// and are kept in priority order (a repetition prefers one more turn, an alternation its
// first branch), so each group gets what a backtracking matcher would give it among the
// ways to match exactly that span: time O(span * program) again. POSIX asks instead for
// each group in turn to be leftmost-longest; the two differ only where a group's
// alternatives overlap, as in (a|ab)(bc|c) against "abc".
//
//   static text::RegexScratch scratch;  // about 800 KiB: one for all the regexes
//   text::RegexGroups g;
//   if (re.search_from(line, start, &from, &to) && re.groups(line, from, to, scratch, &g)) ...

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace text {

// Compile flags.
constexpr uint32_t kExtended = 1u << 0;  // ERE (else BRE)
constexpr uint32_t kIgnoreCase = 1u << 1;
constexpr uint32_t kLiteral = 1u << 2;     // every byte stands for itself (grep -F)
constexpr uint32_t kWord = 1u << 3;        // the match must be a whole word (grep -w)
constexpr uint32_t kLine = 1u << 4;        // the match must be the whole line (grep -x)
constexpr uint32_t kSubmatches = 1u << 5;  // record the groups' positions, for groups()

enum class RegexError {
  kNone,
  kBadBracket,      // [ without its ]
  kBadClass,        // [[:nope:]]
  kBadRange,        // [z-a]
  kBadParen,        // ( without ) or ) without (
  kBadBrace,        // \{ without \}, or a bad count in it
  kBadRepeat,       // a count above kRegexMaxRepeat, or min > max
  kTrailingEscape,  // a pattern ending in '\'
  kBackReference,   // \1 ... \9: not supported
  kTooBig,          // past kRegexMaxInstructions or kRegexMaxNodes
  kTooDeep,         // nested past kRegexMaxDepth
};

// A message for err, as GNU grep words it where it has one.
const char* regex_error_text(RegexError err);

constexpr size_t kRegexMaxNodes = 2048;         // of one pattern's parsed tree
constexpr size_t kRegexMaxInstructions = 4096;  // of the compiled program
constexpr size_t kRegexMaxSets = 512;           // bracket expressions (and folded letters)
constexpr uint32_t kRegexMaxRepeat = 255;       // RE_DUP_MAX
constexpr size_t kRegexMaxDepth = 100;          // nesting of groups and repetitions
constexpr size_t kRegexMaxGroups = 9;           // groups whose positions are recorded

// Where a match and its groups lie: [from[i], to[i]) for group i (0: the whole match);
// kRegexUnset for a group that took no part in the match.
constexpr size_t kRegexUnset = SIZE_MAX;
struct RegexGroups {
  size_t from[kRegexMaxGroups + 1];
  size_t to[kRegexMaxGroups + 1];
};

class Regex;

// The second simulation's state (Regex::groups): threads with the positions they have
// recorded. Big; one serves any number of regexes, one at a time.
class RegexScratch {
 public:
  RegexScratch() = default;
  RegexScratch(const RegexScratch&) = delete;
  RegexScratch& operator=(const RegexScratch&) = delete;

 private:
  friend class Regex;
  static constexpr size_t kSlots = 2 * kRegexMaxGroups;
  struct Thread {
    uint32_t pc;
    uint32_t slots[kSlots];  // begin and end of groups 1.., UINT32_MAX for unset
  };
  struct Frame {
    uint32_t pc;     // an instruction to follow, or kRestore
    uint32_t slot;   // kRestore: the slot to put back
    uint32_t value;  // kRestore: its value
  };
  static constexpr uint32_t kRestore = UINT32_MAX;
  Thread lists_[2][kRegexMaxInstructions];
  uint32_t counts_[2] = {};
  uint32_t seen_[kRegexMaxInstructions] = {};
  uint32_t generation_ = 0;
  // A Split pushes two frames and a Save one more: at most three per instruction.
  Frame stack_[3 * kRegexMaxInstructions];
};

class Regex {
 public:
  Regex() = default;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Replaces what was compiled. On an error the regex matches nothing.
  RegexError compile(lib::StringView pattern, uint32_t flags);
  // One more alternative, with the same flags' kinds (may differ per pattern).
  RegexError add(lib::StringView pattern, uint32_t flags);

  // Whether some substring of text matches.
  bool matches(lib::StringView text);
  // The leftmost-longest match: [*from, *to). False if none.
  bool search(lib::StringView text, size_t* from, size_t* to);
  // The leftmost-longest match starting at start or after it; the text before start still
  // counts for ^ (which it keeps from matching) and for word boundaries.
  bool search_from(lib::StringView text, size_t start, size_t* from, size_t* to);
  // The groups of the match [from, to) that search_from found (compiled with kSubmatches;
  // without it only group 0 is set). False if [from, to) is not a match.
  bool groups(lib::StringView text, size_t from, size_t to, RegexScratch& scratch,
              RegexGroups* out) const;
  // How many groups the last pattern compiled has, recorded or not.
  size_t group_count() const { return group_count_; }

  size_t program_size() const { return count_; }

 private:
  enum class Op : uint8_t {
    kChar,
    kCharFold,
    kAny,
    kSet,
    kSplit,
    kJump,
    kAssert,
    kSave,  // c: the slot (2 * (group - 1), + 1 for its end) takes the position
    kMatch,
  };
  struct Instruction {
    Op op;
    uint8_t c;     // kChar: the byte; kAssert: the Assertion
    uint16_t set;  // kSet
    uint32_t x;    // kSplit, kJump: a target
    uint32_t y;    // kSplit: the other target
  };
  struct Thread {
    uint32_t pc;
    uint32_t start;
  };
  struct List {
    Thread threads[kRegexMaxInstructions];
    uint32_t count = 0;
  };
  struct Node {
    uint8_t kind;
    uint8_t c;  // kChar / kAssert
    uint16_t set;
    uint16_t depth;  // of nesting below it
    uint16_t min, max;
    int32_t child;  // first child (kConcat, kAlt, kRepeat)
    int32_t last;   // last child, for appending
    int32_t next;   // next sibling
  };
  class Parser;
  friend class Parser;

  RegexError build(lib::StringView pattern, uint32_t flags, bool append);
  RegexError emit(Op op, uint8_t c = 0, uint16_t set = 0, uint32_t x = 0, uint32_t y = 0);
  RegexError compile_node(int32_t node);
  void compute_first_bytes();
  void next_generation();
  bool run(lib::StringView text, size_t start, bool want_span, size_t* from, size_t* to);
  bool assertion_holds(uint8_t assertion, lib::StringView text, size_t at) const;
  void add_group_thread(RegexScratch& s, uint32_t list, uint32_t pc, uint32_t* slots,
                        lib::StringView text, size_t at) const;
  void add_thread(List& list, uint32_t pc, uint32_t start, lib::StringView text, size_t at);
  bool in_set(uint16_t set, uint8_t c) const { return (sets_[set][c >> 6] >> (c & 63)) & 1; }

  Instruction program_[kRegexMaxInstructions];
  size_t count_ = 0;
  uint64_t sets_[kRegexMaxSets][4];
  size_t set_count_ = 0;
  bool compiled_ = false;
  size_t group_count_ = 0;
  // The bytes a match can start with (when no match can be empty and no assertion comes
  // first): a position whose byte is not among them starts nothing.
  bool use_first_ = false;
  uint64_t first_[4] = {};

  // The simulation's state, here so that it needs no stack.
  List lists_[2];
  uint32_t seen_[kRegexMaxInstructions];  // generation in which a pc was added
  uint32_t generation_ = 0;
  uint32_t stack_[kRegexMaxInstructions];

  // The parse tree, while compiling.
  Node nodes_[kRegexMaxNodes];
  size_t node_count_ = 0;
  uint32_t last_head_ = 0;  // the Split that starts the last pattern's block
};

}  // namespace text
