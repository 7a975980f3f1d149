package org.jdlm.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one scenario line into whitespace-separated tokens, each with its 1-based column.
 *
 * <p>{@code #} starts a comment anywhere outside double quotes. A double quote opens a quoted
 * section that runs to the next unescaped double quote ({@code \"} and {@code \\} stay inside it),
 * so {@code lvb="A B # C"} is one token; the lexer keeps the quotes and escapes in the token's text
 * and leaves their meaning to the place that accepts a quoted value. Only space and tab separate
 * tokens; any other character, printable or not, belongs to a token and is rejected later with
 * its column.
 */
final class LineLexer {

  private LineLexer() {}

  /** A token and the column of its first character. */
  record Token(String text, int column) {

    /** The column just after the token, where a missing next token is reported. */
    int end() {
      return column + text.length();
    }

    /** The part of this token from {@code from} (inclusive) to {@code to}, with its own column. */
    Token sub(int from, int to) {
      return new Token(text.substring(from, to), column + from);
    }
  }

  /** Tokens of {@code line}; throws {@link LineError} for a quote that is never closed. */
  static List<Token> lex(String line) {
    List<Token> tokens = new ArrayList<>();
    int n = line.length();
    int i = 0;
    while (i < n) {
      char ch = line.charAt(i);
      if (isBlank(ch)) {
        i++;
        continue;
      }
      if (ch == '#') {
        break;
      }
      int start = i;
      while (i < n) {
        ch = line.charAt(i);
        if (isBlank(ch) || ch == '#') {
          break;
        }
        if (ch == '"') {
          i = closingQuote(line, i) + 1;
        } else {
          i++;
        }
      }
      tokens.add(new Token(line.substring(start, i), start + 1));
    }
    return tokens;
  }

  /** Index of the quote that closes the one at {@code open}. */
  private static int closingQuote(String line, int open) {
    int i = open + 1;
    while (i < line.length()) {
      char ch = line.charAt(i);
      if (ch == '\\' && i + 1 < line.length()) {
        i += 2;
      } else if (ch == '"') {
        return i;
      } else {
        i++;
      }
    }
    throw new LineError(open + 1,
        "expected a closing '\"' for the quote opened here, found end of line");
  }

  private static boolean isBlank(char ch) {
    return ch == ' ' || ch == '\t';
  }
}
