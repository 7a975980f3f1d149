package org.jdlm.member;

/**
 * An error the user can act on: bad input or a state of the world that prevents the command.
 *
 * <p>The message is one line that names the offending value and the reason; the {@code dlm} command prints it
 * on stderr as {@code dlm: <message>} and exits with status 2, never with a stack trace.
 */
public class CliError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CliError(String message) {
    super(message);
  }

  public CliError(String message, Throwable cause) {
    super(message, cause);
  }

  /** The exit status {@code dlm} ends with: 2, unless a subclass documents another. */
  public int exitStatus() {
    return 2;
  }
}
