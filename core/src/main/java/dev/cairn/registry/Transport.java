package dev.cairn.registry;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP side of one registry, every request of every operation (blob fetches and uploads
 * included) going through {@link #send}: the endpoint ({@link Endpoint}), authorization answered to
 * a 401 ({@link Authenticator}), redirects ({@link Redirects}), and retries of what is worth
 * retrying.
 */
final class Transport implements AutoCloseable {

  /**
   * One request as a registry operation describes it. A call with a body is sent once: an upload
   * that fails is started again by its caller with a new session, never re-sent into a session that
   * may hold part of it.
   */
  record Call(
      String method,
      URI uri,
      List<String> accept,
      Map<String, String> headers,
      String scope,
      String what,
      HttpRequest.BodyPublisher body) {
    Call(
        String method,
        URI uri,
        List<String> accept,
        Map<String, String> headers,
        String scope,
        String what) {
      this(method, uri, accept, headers, scope, what, null);
    }

    boolean retryable() {
      return body == null;
    }
  }

  private final String host;
  private final RegistryOptions options;
  private final Endpoint endpoint;
  private final Authenticator auth;
  private final Redirects redirects;

  Transport(String host, String endpoint, RegistryOptions options) throws IOException {
    this.host = host;
    this.options = options;
    this.endpoint = new Endpoint(host, endpoint, options);
    this.auth =
        new Authenticator(
            host, this.endpoint.plainHttp(), options, this.endpoint::client, Clock.systemUTC());
    this.redirects = new Redirects(this.endpoint, auth, options);
  }

  URI base() {
    return endpoint.base();
  }

  RegistryOptions options() {
    return options;
  }

  Authenticator authenticator() {
    return auth;
  }

  /**
   * Sends the call: a 401 is answered once with fresh authorization; 408, 429, 5xx and transport
   * errors are retried with backoff (a name that does not resolve and a TLS failure are not), for
   * as long as the retry policy allows. Returns whatever answer remains, for the caller to judge.
   *
   * @throws CairnException UNAVAILABLE when no answer came, naming the host and the cause
   */
  HttpResponse<InputStream> send(Call call) throws IOException {
    RetryPolicy retry = options.retry();
    boolean learned = false; // answered a 401 to a request sent without authorization
    boolean refreshed = false; // answered a 401 to a request sent with it
    int attempt = 1;
    long start = System.nanoTime();
    while (true) {
      HttpResponse<InputStream> r;
      boolean[] sentAuth = new boolean[1];
      URI[] at = {call.uri()}; // where the last hop went, for the message
      try {
        r = redirects.send(call, sentAuth, at);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        Duration wait = retry.backoff(attempt);
        if (!call.retryable()
            || !NetworkErrors.retryable(e)
            || !retry.allowsAnother(attempt, start, wait)) {
          throw NetworkErrors.unavailable(
              call.what(),
              host,
              at[0],
              e,
              NetworkErrors.Limits.of(options),
              attempt > 1 ? " (" + attempt + " attempts)" : "");
        }
        pause(wait);
        attempt++;
        continue;
      }
      int status = r.statusCode();
      if (status == 401 && !(sentAuth[0] ? refreshed : learned)) {
        List<Challenge> challenges = Challenge.parse(r.headers().allValues("WWW-Authenticate"));
        discard(r);
        try {
          auth.unauthorized(challenges, call.scope());
        } catch (CairnException e) {
          throw e.in(call.what());
        }
        if (sentAuth[0]) {
          refreshed = true;
        } else {
          learned = true;
        }
        continue;
      }
      Duration wait = retryAfter(r, retry).orElse(retry.backoff(attempt));
      if (call.retryable() && isRetryable(status) && retry.allowsAnother(attempt, start, wait)) {
        discard(r);
        pause(wait);
        attempt++;
        continue;
      }
      return r;
    }
  }

  static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status >= 500 && status <= 599;
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> r, RetryPolicy retry) {
    return r.headers()
        .firstValue("Retry-After")
        .filter(v -> !v.isEmpty() && v.length() < 10 && v.chars().allMatch(Character::isDigit))
        .map(v -> Duration.ofSeconds(Long.parseLong(v)))
        .map(d -> d.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : d);
  }

  static void pause(Duration d) throws InterruptedIOException {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
  }

  /** Drops an answer's body without reading much of it, so the connection can go. */
  static void discard(HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      in.readNBytes(RegistryErrors.MAX_ERROR_BODY);
    } catch (IOException ignored) {
      // the answer is being thrown away; its body does not matter
    }
  }

  /** A transport failure after the request was answered (reading its body), as its sentence. */
  CairnException failure(String what, URI uri, IOException e) {
    return failure(what, uri, e, "");
  }

  CairnException failure(String what, URI uri, IOException e, String attempts) {
    return NetworkErrors.unavailable(
        what, host, uri, e, NetworkErrors.Limits.of(options), attempts);
  }

  /** Why an exchange with {@code uri}'s host failed, in a few words naming the host. */
  String reason(URI uri, IOException e) {
    return NetworkErrors.reason(e, uri, null, NetworkErrors.Limits.of(options));
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
