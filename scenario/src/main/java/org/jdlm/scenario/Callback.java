package org.jdlm.scenario;

/**
 * One callback a lock can receive, as written after {@code await L} and in {@code expect L events}:
 * {@code cast STATUS} (completion) or {@code bast MODE} (blocking callback).
 */
public sealed interface Callback {

  /** A completion callback ({@code cast OK}) with the status it must carry. */
  record Cast(CastStatus status) implements Callback {
    public Cast {
      if (status == null) {
        throw new IllegalArgumentException("cast status must not be null");
      }
    }

    @Override
    public String toString() {
      return "cast " + status;
    }
  }

  /** A blocking callback ({@code bast EX}) with the mode that another lock is blocked on. */
  record Bast(Mode mode) implements Callback {
    public Bast {
      if (mode == null) {
        throw new IllegalArgumentException("bast mode must not be null");
      }
    }

    @Override
    public String toString() {
      return "bast " + mode;
    }
  }
}
