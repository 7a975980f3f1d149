package org.jdlm.member;

/**
 * A member's shared store cannot be used: unreachable, refusing the login, or not prepared (a table
 * missing; {@code dlm store init} creates them). {@code dlm node} checks this before it starts any
 * persistent actor or joins, prints the one line and exits {@value #EXIT_STATUS} at once.
 */
public final class StoreNotReady extends CliError {
  private static final long serialVersionUID = 1L;

  /** EX_CONFIG from sysexits.h: a configuration error, distinct from bad input (2) and a fenced member (70). */
  public static final int EXIT_STATUS = 78;

  public StoreNotReady(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitStatus() {
    return EXIT_STATUS;
  }
}
