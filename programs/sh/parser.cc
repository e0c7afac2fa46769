#include "parser.h"

namespace stellina::sh {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool ends_word(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case ';':
    case '&':
    case '|':
    case '<':
    case '>':
    case '(':
    case ')': return true;
    default: return false;
  }
}

}  // namespace

bool is_assignment(StringView word) {
  const size_t eq = word.find('=');
  return eq != StringView::kNpos && eq > 0 && is_name(word.substr(0, eq));
}

// ---- Failures ----

void Parser::unexpected(const Token& t) {
  if (failed()) return;
  if (t.type == TokenType::End) {
    need_more("Syntax error: end of file unexpected");
    return;
  }
  message_.clear();
  if (t.type == TokenType::Newline) {
    message_.add("Syntax error: newline unexpected");
  } else {
    message_.add("Syntax error: \"").add(t.text).add("\" unexpected");
  }
  status_ = ParseStatus::Error;
}

void Parser::need_more(StringView what) {
  if (failed()) return;
  message_.clear();
  message_.add(what);
  status_ = ParseStatus::NeedMore;
}

void Parser::error(StringView what) {
  if (failed()) return;
  message_.clear();
  message_.add("Syntax error: ").add(what);
  status_ = ParseStatus::Error;
}

bool Parser::enter() {
  if (++depth_ > kMaxNesting) {
    message_.clear();
    if (!failed()) {
      message_.add("Syntax error: nested too deeply (more than ").add(kMaxNesting).add(" levels)");
      status_ = ParseStatus::Error;
    }
    return false;
  }
  return true;
}

// ---- The lexer ----

const Parser::Token& Parser::peek() {
  if (!has_peek_) {
    lex(peek_);
    has_peek_ = true;
  }
  return peek_;
}

Parser::Token Parser::take() {
  peek();
  has_peek_ = false;
  if (peek_.type != TokenType::End) consumed_ = peek_.end;
  return peek_;
}

bool Parser::is_word(const Token& t, StringView word) const {
  return t.type == TokenType::Word && t.text == word;
}

bool Parser::is_reserved_terminator(const Token& t) const {
  if (t.type != TokenType::Word) return false;
  for (StringView w : {"then", "else", "elif", "fi", "do", "done", "esac", "}"})
    if (t.text == w) return true;
  return false;
}

void Parser::lex(Token& t) {
  t = Token{};
  if (failed()) {
    t.start = t.end = pos_;
    return;
  }
  const size_t n = text_.size();
  while (pos_ < n) {
    const char c = text_[pos_];
    if (is_blank(c)) {
      ++pos_;
    } else if (c == '\\' && pos_ + 1 < n && text_[pos_ + 1] == '\n') {
      if (pos_ + 2 == n && !complete_) {
        // A line ending in \ goes on in the next one.
        need_more("Syntax error: end of file unexpected");
        t.start = t.end = pos_;
        return;
      }
      pos_ += 2;
    } else if (c == '#') {
      while (pos_ < n && text_[pos_] != '\n') ++pos_;
    } else {
      break;
    }
  }
  t.start = pos_;
  if (pos_ == n) {
    t.end = pos_;
    if (pending_count_ && !complete_) {
      need_more("Syntax error: end of file unexpected (a here-document)");
    } else if (pending_count_) {
      for (size_t k = 0; k < pending_count_; ++k) pending_[k]->target = StringView();
      pending_count_ = 0;
    }
    return;
  }
  const char c = text_[pos_];
  const char d = pos_ + 1 < n ? text_[pos_ + 1] : '\0';
  auto op = [&](TokenType type, size_t length) {
    t.type = type;
    pos_ += length;
  };
  int fd = -1;
  switch (c) {
    case '\n':
      op(TokenType::Newline, 1);
      if (pending_count_ && !read_here_documents()) return;
      break;
    case '&': d == '&' ? op(TokenType::AndIf, 2) : op(TokenType::Amp, 1); break;
    case '|': d == '|' ? op(TokenType::OrIf, 2) : op(TokenType::Pipe, 1); break;
    case ';': d == ';' ? op(TokenType::DSemi, 2) : op(TokenType::Semi, 1); break;
    case '(': op(TokenType::LParen, 1); break;
    case ')': op(TokenType::RParen, 1); break;
    case '<':
    case '>': break;
    default: {
      const size_t end = scan_word(pos_);
      if (end == kFail) return;
      const StringView word = text_.substr(pos_, end - pos_);
      bool digits = end < n && (text_[end] == '<' || text_[end] == '>');
      for (char w : word) digits = digits && is_digit(w);
      if (!digits) {
        t.type = TokenType::Word;
        pos_ = end;
        break;
      }
      int64_t number = 0;
      if (!parse_number(word, &number) || number > kMaxFd) {
        error("Bad fd number");
        return;
      }
      fd = static_cast<int>(number);
      pos_ = end;
      break;
    }
  }
  if (pos_ < n && t.type == TokenType::End && (text_[pos_] == '<' || text_[pos_] == '>')) {
    const char r = text_[pos_];
    const char r1 = pos_ + 1 < n ? text_[pos_ + 1] : '\0';
    const char r2 = pos_ + 2 < n ? text_[pos_ + 2] : '\0';
    t.type = TokenType::Redirect;
    size_t length = 1;
    if (r == '<') {
      t.fd = 0;
      if (r1 == '<') {
        t.op = Redirect::Op::HereDoc;
        t.strip_tabs = r2 == '-';
        length = t.strip_tabs ? 3 : 2;
      } else if (r1 == '&') {
        t.op = Redirect::Op::DupIn;
        length = 2;
      } else if (r1 == '>') {
        t.op = Redirect::Op::ReadWrite;
        length = 2;
      } else {
        t.op = Redirect::Op::Read;
      }
    } else {
      t.fd = 1;
      if (r1 == '>') {
        t.op = Redirect::Op::Append;
        length = 2;
      } else if (r1 == '&') {
        t.op = Redirect::Op::DupOut;
        length = 2;
      } else if (r1 == '|') {
        t.op = Redirect::Op::Write;
        length = 2;
      } else {
        t.op = Redirect::Op::Write;
      }
    }
    if (fd >= 0) t.fd = fd;
    pos_ += length;
  }
  t.end = pos_;
  t.text = text_.substr(t.start, t.end - t.start);
}

bool Parser::read_here_documents() {
  const size_t n = text_.size();
  for (size_t k = 0; k < pending_count_; ++k) {
    Redirect* r = pending_[k];
    const StringView delimiter = r->target;
    const size_t body = pos_;
    for (;;) {
      size_t end = pos_ < n ? text_.find('\n', pos_) : StringView::kNpos;
      if (end == StringView::kNpos && complete_) {
        // The end of the text ends the document (a last line without its newline may be the
        // delimiter).
        StringView last = text_.substr(pos_);
        if (r->here_strip_tabs)
          while (!last.empty() && last[0] == '\t') last = last.substr(1);
        const size_t body_end = last == delimiter ? pos_ : n;
        r->target = text_.substr(body, body_end - body);
        pos_ = n;
        break;
      }
      if (end == StringView::kNpos) {
        need_more("Syntax error: end of file unexpected (a here-document)");
        return false;
      }
      StringView line = text_.substr(pos_, end - pos_);
      if (r->here_strip_tabs)
        while (!line.empty() && line[0] == '\t') line = line.substr(1);
      const size_t line_start = pos_;
      pos_ = end + 1;
      if (line == delimiter) {
        r->target = text_.substr(body, line_start - body);
        break;
      }
    }
  }
  pending_count_ = 0;
  return true;
}

size_t Parser::scan_word(size_t i) {
  const size_t n = text_.size();
  while (i < n && i != kFail) {
    const char c = text_[i];
    if (ends_word(c)) break;
    switch (c) {
      case '\\':
        if (i + 1 >= n || (i + 2 == n && text_[i + 1] == '\n' && !complete_)) {
          need_more("Syntax error: end of file unexpected");
          return kFail;
        }
        i += 2;
        break;
      case '\'': i = scan_single(i); break;
      case '"': i = scan_double(i); break;
      case '`': i = scan_backquote(i); break;
      case '$': i = scan_dollar(i); break;
      default: ++i; break;
    }
  }
  return i;
}

size_t Parser::scan_single(size_t i) {
  const size_t end = text_.find('\'', i + 1);
  if (end == StringView::kNpos) {
    need_more("Syntax error: Unterminated quoted string");
    return kFail;
  }
  return end + 1;
}

size_t Parser::scan_double(size_t i) {
  const size_t n = text_.size();
  for (++i; i < n && i != kFail;) {
    switch (text_[i]) {
      case '"': return i + 1;
      case '\\': i += 2; break;
      case '`': i = scan_backquote(i); break;
      case '$': i = scan_dollar(i); break;
      default: ++i; break;
    }
  }
  if (i != kFail) need_more("Syntax error: Unterminated quoted string");
  return kFail;
}

size_t Parser::scan_backquote(size_t i) {
  const size_t n = text_.size();
  for (++i; i < n;) {
    if (text_[i] == '\\') {
      i += 2;
    } else if (text_[i] == '`') {
      return i + 1;
    } else {
      ++i;
    }
  }
  need_more("Syntax error: EOF in backquote substitution");
  return kFail;
}

size_t Parser::scan_dollar(size_t i) {
  const size_t n = text_.size();
  if (i + 1 >= n) return i + 1;
  if (text_[i + 1] == '{') return scan_brace(i + 1);
  if (text_[i + 1] != '(') return i + 1;
  if (i + 2 < n && text_[i + 2] == '(') return scan_arithmetic(i);
  if (i + 2 >= n) {
    need_more("Syntax error: end of file unexpected");
    return kFail;
  }
  return scan_substitution(i + 2);
}

size_t Parser::scan_brace(size_t i) {
  if (!enter()) return kFail;
  const size_t n = text_.size();
  for (++i; i < n && i != kFail;) {
    switch (text_[i]) {
      case '}': leave(); return i + 1;
      case '\\': i += 2; break;
      case '\'': i = scan_single(i); break;
      case '"': i = scan_double(i); break;
      case '`': i = scan_backquote(i); break;
      case '$': i = scan_dollar(i); break;
      default: ++i; break;
    }
  }
  leave();
  if (i != kFail) need_more("Syntax error: Missing '}'");
  return kFail;
}

size_t Parser::scan_arithmetic(size_t i) {
  if (!enter()) return kFail;
  const size_t n = text_.size();
  int parens = 0;
  for (i += 3; i < n && i != kFail;) {
    const char c = text_[i];
    if (c == '(') {
      if (++parens > kMaxNesting) {
        error("nested too deeply");
        i = kFail;
        break;
      }
      ++i;
    } else if (c == ')') {
      if (parens == 0) {
        leave();
        if (i + 1 < n && text_[i + 1] == ')') return i + 2;
        if (i + 1 >= n) {
          need_more("Syntax error: Missing '))'");
        } else {
          error("Missing '))'");
        }
        return kFail;
      }
      --parens;
      ++i;
    } else if (c == '$') {
      i = scan_dollar(i);
    } else if (c == '`') {
      i = scan_backquote(i);
    } else if (c == '\'') {
      i = scan_single(i);
    } else if (c == '"') {
      i = scan_double(i);
    } else {
      ++i;
    }
  }
  leave();
  if (i != kFail) need_more("Syntax error: Missing '))'");
  return kFail;
}

size_t Parser::scan_substitution(size_t i) {
  if (depth_ + 1 > kMaxNesting) {
    enter();
    leave();
    return kFail;
  }
  Parser inner(arena_, text_, i, depth_ + 1);
  inner.complete_ = complete_;
  Node* ignored = nullptr;
  const ParseStatus status = inner.parse_substitution(&ignored);
  if (status != ParseStatus::Ok) {
    status_ = status;
    message_.clear();
    message_.add(inner.message());
    return kFail;
  }
  return inner.position();
}

// ---- The grammar ----

StringView Parser::source_from(size_t start) const {
  return consumed_ > start ? text_.substr(start, consumed_ - start) : StringView();
}

Word* Parser::make_word(const Token& t) {
  Word* w = make<Word>();
  if (w) w->text = t.text;
  return w;
}

void Parser::linebreak() {
  while (!failed() && peek().type == TokenType::Newline) take();
}

bool Parser::expect(StringView word) {
  if (failed()) return false;
  if (!is_word(peek(), word)) {
    unexpected(peek());
    return false;
  }
  take();
  return true;
}

ParseStatus Parser::next(Node** out) {
  *out = nullptr;
  linebreak();
  if (failed()) return status_;
  if (peek().type == TokenType::End) return ParseStatus::End;
  auto* list = make<ListNode>(NodeKind::List);
  if (!list) return status_;
  const size_t start = peek().start;
  Node** tail = &list->items;
  for (;;) {
    Node* item = parse_and_or();
    if (failed()) return status_;
    *tail = item;
    tail = &item->next;
    const Token& t = peek();
    if (t.type == TokenType::Semi || t.type == TokenType::Amp) {
      item->background = t.type == TokenType::Amp;
      take();
      const TokenType after = peek().type;
      if (after == TokenType::Newline || after == TokenType::End) {
        if (after == TokenType::Newline) take();
        break;
      }
      continue;
    }
    if (t.type == TokenType::Newline) {
      take();
      break;
    }
    if (t.type == TokenType::End) break;
    unexpected(t);
    return status_;
  }
  if (failed()) return status_;
  list->source = source_from(start);
  *out = list;
  return ParseStatus::Ok;
}

ParseStatus Parser::parse_substitution(Node** out) {
  *out = nullptr;
  linebreak();
  if (!failed() && peek().type != TokenType::RParen) *out = parse_list();
  if (!failed() && peek().type != TokenType::RParen) unexpected(peek());
  if (failed()) return status_;
  take();
  return ParseStatus::Ok;
}

Node* Parser::parse_list() {
  linebreak();
  auto* list = make<ListNode>(NodeKind::List);
  if (!list) return nullptr;
  const size_t start = peek().start;
  Node** tail = &list->items;
  while (!failed()) {
    const Token& t = peek();
    if (t.type == TokenType::End || t.type == TokenType::RParen || t.type == TokenType::DSemi ||
        is_reserved_terminator(t))
      break;
    Node* item = parse_and_or();
    if (failed()) return nullptr;
    *tail = item;
    tail = &item->next;
    const Token& sep = peek();
    if (sep.type == TokenType::Semi || sep.type == TokenType::Amp) {
      item->background = sep.type == TokenType::Amp;
      take();
      linebreak();
    } else if (sep.type == TokenType::Newline) {
      linebreak();
    } else {
      break;
    }
  }
  if (failed()) return nullptr;
  if (!list->items) {
    unexpected(peek());
    return nullptr;
  }
  list->source = source_from(start);
  return list;
}

Node* Parser::parse_and_or() {
  const size_t start = peek().start;
  Node* first = parse_pipeline();
  if (failed()) return nullptr;
  const TokenType type = peek().type;
  if (type != TokenType::AndIf && type != TokenType::OrIf) return first;
  auto* list = make<ListNode>(NodeKind::AndOr);
  if (!list) return nullptr;
  list->items = first;
  Node* last = first;
  while (!failed()) {
    const TokenType op = peek().type;
    if (op != TokenType::AndIf && op != TokenType::OrIf) break;
    take();
    linebreak();
    Node* item = parse_pipeline();
    if (failed()) return nullptr;
    item->connector = op == TokenType::AndIf ? Connector::And : Connector::Or;
    last->next = item;
    last = item;
  }
  list->source = source_from(start);
  return failed() ? nullptr : list;
}

Node* Parser::parse_pipeline() {
  const size_t start = peek().start;
  bool negate = false;
  while (!failed() && is_word(peek(), "!")) {
    take();
    negate = !negate;
  }
  Node* first = parse_command();
  if (failed()) return nullptr;
  if (!negate && peek().type != TokenType::Pipe) return first;
  auto* pipeline = make<PipelineNode>();
  if (!pipeline) return nullptr;
  pipeline->negate = negate;
  pipeline->commands = first;
  Node* last = first;
  size_t count = 1;
  while (!failed() && peek().type == TokenType::Pipe) {
    take();
    linebreak();
    if (++count > kMaxPipeline) {
      error("too many commands in a pipeline");
      return nullptr;
    }
    Node* command = parse_command();
    if (failed()) return nullptr;
    last->next = command;
    last = command;
  }
  pipeline->source = source_from(start);
  return failed() ? nullptr : pipeline;
}

Node* Parser::parse_command() {
  const Token& t = peek();
  if (failed()) return nullptr;
  if (t.type == TokenType::LParen ||
      (t.type == TokenType::Word && (t.text == "if" || t.text == "while" || t.text == "until" ||
                                     t.text == "for" || t.text == "case" || t.text == "{"))) {
    return parse_compound(t);
  }
  if (t.type == TokenType::Redirect ||
      (t.type == TokenType::Word && !is_reserved_terminator(t) && t.text != "!")) {
    return parse_simple();
  }
  unexpected(t);
  return nullptr;
}

Node* Parser::parse_compound(const Token& first) {
  if (!enter()) return nullptr;
  const size_t start = first.start;
  Node* node = nullptr;
  if (first.type == TokenType::LParen) {
    node = parse_group(true);
  } else if (first.text == "{") {
    node = parse_group(false);
  } else if (first.text == "if") {
    node = parse_if();
  } else if (first.text == "while" || first.text == "until") {
    node = parse_while();
  } else if (first.text == "for") {
    node = parse_for();
  } else {
    node = parse_case();
  }
  leave();
  if (failed() || !parse_trailing_redirects(node)) return nullptr;
  node->source = source_from(start);
  return node;
}

bool Parser::parse_trailing_redirects(Node* node) {
  Redirect** tail = &node->redirects;
  size_t count = 0;
  while (!failed() && peek().type == TokenType::Redirect) {
    if (++count > kMaxRedirects) {
      error("too many redirections");
      return false;
    }
    if (!parse_redirect(tail)) return false;
    tail = &(*tail)->next;
  }
  return !failed();
}

bool Parser::parse_redirect(Redirect** tail) {
  const Token op = take();
  const Token& target = peek();
  if (target.type != TokenType::Word) {
    unexpected(target);
    return false;
  }
  auto* r = make<Redirect>();
  if (!r) return false;
  r->op = op.op;
  r->fd = op.fd;
  r->target = target.text;
  r->here_strip_tabs = op.strip_tabs;
  if (op.op == Redirect::Op::HereDoc) {
    if (pending_count_ == kMaxPendingHereDocs) {
      error("too many here-documents");
      return false;
    }
    // The delimiter is the word with its quotes removed; any quote means a literal body.
    char* delimiter = static_cast<char*>(arena_.allocate(target.text.size() + 1));
    if (!delimiter) {
      no_memory();
      return false;
    }
    size_t length = 0;
    char quote = 0;
    for (size_t i = 0; i < target.text.size(); ++i) {
      const char c = target.text[i];
      if (quote) {
        if (c == quote) {
          quote = 0;
          continue;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        r->here_quoted = true;
        continue;
      } else if (c == '\\' && i + 1 < target.text.size()) {
        r->here_quoted = true;
        delimiter[length++] = target.text[++i];
        continue;
      }
      delimiter[length++] = c;
    }
    r->target = StringView(delimiter, length);
    pending_[pending_count_++] = r;
  }
  take();
  *tail = r;
  return true;
}

Node* Parser::parse_simple() {
  auto* node = make<SimpleNode>();
  if (!node) return nullptr;
  const size_t start = peek().start;
  Word** assignment_tail = &node->assignments;
  Word** word_tail = &node->words;
  Redirect** redirect_tail = &node->redirects;
  size_t count = 0;
  while (!failed()) {
    const Token& t = peek();
    if (t.type != TokenType::Word && t.type != TokenType::Redirect) break;
    if (++count > kMaxFields) {
      error("too many words in a command");
      return nullptr;
    }
    if (t.type == TokenType::Redirect) {
      if (!parse_redirect(redirect_tail)) return nullptr;
      redirect_tail = &(*redirect_tail)->next;
      continue;
    }
    const Token word = take();
    Word* w = make_word(word);
    if (!w) return nullptr;
    if (!node->words && is_assignment(word.text)) {
      *assignment_tail = w;
      assignment_tail = &w->next;
      continue;
    }
    const bool first = !node->words;
    *word_tail = w;
    word_tail = &w->next;
    if (first && !node->assignments && !node->redirects && peek().type == TokenType::LParen)
      return parse_function(w, start);
  }
  if (failed()) return nullptr;
  node->source = source_from(start);
  return node;
}

Node* Parser::parse_function(Word* name, size_t start) {
  take();  // (
  if (peek().type != TokenType::RParen) {
    unexpected(peek());
    return nullptr;
  }
  take();
  if (!is_name(name->text)) {
    error("Bad function name");
    return nullptr;
  }
  linebreak();
  const Token& t = peek();
  if (failed()) return nullptr;
  const bool compound =
      t.type == TokenType::LParen ||
      (t.type == TokenType::Word && (t.text == "if" || t.text == "while" || t.text == "until" ||
                                     t.text == "for" || t.text == "case" || t.text == "{"));
  if (!compound) {
    unexpected(t);
    return nullptr;
  }
  const size_t body_start = t.start;
  Node* body = parse_compound(t);
  if (failed()) return nullptr;
  auto* node = make<FunctionNode>();
  if (!node) return nullptr;
  node->name = name->text;
  node->body = body;
  node->body_text = source_from(body_start);
  node->source = source_from(start);
  return node;
}

Node* Parser::parse_group(bool subshell) {
  take();  // ( or {
  auto* node = make<ListNode>(subshell ? NodeKind::Subshell : NodeKind::Group);
  if (!node) return nullptr;
  Node* body = parse_list();
  if (failed()) return nullptr;
  node->items = body;
  if (subshell) {
    if (peek().type != TokenType::RParen) {
      unexpected(peek());
      return nullptr;
    }
    take();
  } else if (!expect("}")) {
    return nullptr;
  }
  return node;
}

Node* Parser::parse_if() {
  take();  // if
  auto* node = make<IfNode>();
  if (!node) return nullptr;
  IfNode* current = node;
  for (;;) {
    current->condition = parse_list();
    if (!expect("then")) return nullptr;
    current->then_part = parse_list();
    if (failed()) return nullptr;
    const Token& t = peek();
    if (is_word(t, "elif")) {
      take();
      auto* next = make<IfNode>();
      if (!next) return nullptr;
      current->else_part = next;
      current = next;
      continue;
    }
    if (is_word(t, "else")) {
      take();
      current->else_part = parse_list();
      if (!expect("fi")) return nullptr;
      return node;
    }
    if (!expect("fi")) return nullptr;
    return node;
  }
}

Node* Parser::parse_while() {
  const Token keyword = take();
  auto* node = make<WhileNode>();
  if (!node) return nullptr;
  node->until = keyword.text == "until";
  node->condition = parse_list();
  if (!expect("do")) return nullptr;
  node->body = parse_list();
  if (!expect("done")) return nullptr;
  return node;
}

Node* Parser::parse_for() {
  take();  // for
  auto* node = make<ForNode>();
  if (!node) return nullptr;
  const Token& name = peek();
  if (name.type != TokenType::Word) {
    unexpected(name);
    return nullptr;
  }
  if (!is_name(name.text)) {
    error("Bad for loop variable");
    return nullptr;
  }
  node->name = take().text;
  linebreak();
  if (is_word(peek(), "in")) {
    take();
    node->has_in = true;
    Word** tail = &node->words;
    size_t count = 0;
    while (!failed() && peek().type == TokenType::Word) {
      if (++count > kMaxFields) {
        error("too many words in a command");
        return nullptr;
      }
      Word* w = make_word(take());
      if (!w) return nullptr;
      *tail = w;
      tail = &w->next;
    }
    const TokenType sep = peek().type;
    if (sep != TokenType::Semi && sep != TokenType::Newline) {
      unexpected(peek());
      return nullptr;
    }
    take();
    linebreak();
  } else if (peek().type == TokenType::Semi) {
    take();
    linebreak();
  }
  if (!expect("do")) return nullptr;
  node->body = parse_list();
  if (!expect("done")) return nullptr;
  return node;
}

Node* Parser::parse_case() {
  take();  // case
  auto* node = make<CaseNode>();
  if (!node) return nullptr;
  const Token& subject = peek();
  if (subject.type != TokenType::Word) {
    unexpected(subject);
    return nullptr;
  }
  node->subject = make_word(take());
  linebreak();
  if (!expect("in")) return nullptr;
  linebreak();
  CaseItem** tail = &node->items;
  while (!failed()) {
    if (is_word(peek(), "esac")) {
      take();
      return node;
    }
    auto* item = make<CaseItem>();
    if (!item) return nullptr;
    if (peek().type == TokenType::LParen) take();
    Word** pattern_tail = &item->patterns;
    size_t count = 0;
    for (;;) {
      const Token& p = peek();
      if (p.type != TokenType::Word) {
        unexpected(p);
        return nullptr;
      }
      if (++count > kMaxFields) {
        error("too many patterns");
        return nullptr;
      }
      Word* w = make_word(take());
      if (!w) return nullptr;
      *pattern_tail = w;
      pattern_tail = &w->next;
      if (peek().type != TokenType::Pipe) break;
      take();
    }
    if (peek().type != TokenType::RParen) {
      unexpected(peek());
      return nullptr;
    }
    take();
    linebreak();
    if (peek().type != TokenType::DSemi && !is_word(peek(), "esac")) {
      item->body = parse_list();
      if (failed()) return nullptr;
    }
    *tail = item;
    tail = &item->next;
    if (peek().type == TokenType::DSemi) {
      take();
      linebreak();
      continue;
    }
    if (!is_word(peek(), "esac")) {
      unexpected(peek());
      return nullptr;
    }
  }
  return nullptr;
}

}  // namespace stellina::sh
