package org.jdlm.fencing.store;

/**
 * The shared store could not be started, reached or prepared. The message names the store (URL or
 * directory) and the reason, and is fit to print as one line to a user.
 */
public final class StoreException extends RuntimeException {

  StoreException(String message, Throwable cause) {
    super(message + (cause == null ? "" : ": " + cause.getMessage()), cause);
  }
}
