package io.gloo.core.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A port that could not be bound, said the way a user needs it: {@code cannot listen on 0.0.0.0:9091 (admin API):
 * address already in use}. The underlying exception is the cause (for the debug log).
 */
public final class ListenFailure extends IOException {

  /** Netty's prefix before the system's message: {@code bind(..) failed with error(-98): }. */
  private static final Pattern NATIVE_CALL = Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

  private ListenFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** Something that opens a listening socket. */
  @FunctionalInterface
  public interface Binder<T> {
    T bind() throws IOException;
  }

  /**
   * Runs {@code binder}; a failure to bind becomes a {@link ListenFailure} naming the address and what it is for.
   *
   * @param what what listens there, e.g. "xDS" or "admin API"
   */
  public static <T> T listen(InetSocketAddress address, String what, Binder<T> binder) throws ListenFailure {
    try {
      return binder.bind();
    } catch (IOException | UnresolvedAddressException e) {
      throw new ListenFailure("cannot listen on " + address.getHostString() + ":" + address.getPort() + " (" + what
          + "): " + reason(e), e);
    } catch (RuntimeException e) {
      if (find(e, SocketException.class) == null) {
        throw e;
      }
      throw new ListenFailure("cannot listen on " + address.getHostString() + ":" + address.getPort() + " (" + what
          + "): " + reason(e), e);
    }
  }

  /**
   * The operating system's words ("address already in use"): a {@link SocketException}'s message, else the deepest
   * cause's (Netty's native transport says {@code bind(..) failed: Address already in use}), else the first message.
   */
  private static String reason(Throwable e) {
    if (find(e, UnresolvedAddressException.class) != null) {
      return "cannot resolve the host";
    }
    Throwable source = find(e, SocketException.class);
    if (source == null) {
      source = e;
      while (source.getCause() != null && source.getCause() != source && source.getCause().getMessage() != null) {
        source = source.getCause();
      }
    }
    String message = source.getMessage();
    if (message == null || message.isBlank()) {
      return source.getClass().getSimpleName();
    }
    message = message.strip().replace('\n', ' ');
    return NATIVE_CALL.matcher(message).replaceFirst("").toLowerCase(Locale.ROOT);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
