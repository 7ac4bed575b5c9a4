package io.gloo.core.snapshot;

import io.gloo.core.store.WeakIdentityCache;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What a RouteConfiguration contributes to the RDS version: its fields other than {@code virtual_hosts}, and the
 * SHA-256 of each virtual host's deterministic serialization, instead of the serialization of the whole (megabytes
 * at thousands of routes). A virtual host's digest is kept per instance from one publish to the next (the latest
 * round's only), and the serialized bytes of each route per instance as long as the route lives: the translator
 * reuses the instances of what did not change, so a one-route change serializes one route and hashes one virtual
 * host. Not thread-safe: the publisher calls it under its lock.
 */
final class RouteConfigurationDigests {

  private static final int DIGEST_BUFFER_BYTES = 64 * 1024;

  private Map<VirtualHost, byte[]> previousDigests = new IdentityHashMap<>();
  private Map<VirtualHost, byte[]> currentDigests = new IdentityHashMap<>();
  /**
   * Serialized routes (and virtual host metadata), weakly keyed by instance: the routes of a virtual host whose
   * digest is reused are not looked up, yet they are needed again when that virtual host changes by one route.
   */
  private final WeakIdentityCache<Message, byte[]> messages = new WeakIdentityCache<>();

  /**
   * Writes {@code config}'s contribution to a version: the number of virtual hosts, the configuration without them
   * (length-delimited), then each virtual host's digest (32 bytes). Equal configurations write equal bytes and,
   * as every part is delimited, different ones different bytes (up to SHA-256 collisions).
   */
  void write(CodedOutputStream out, RouteConfiguration config) throws IOException {
    out.writeUInt32NoTag(config.getVirtualHostsCount());
    out.writeMessageNoTag(config.getVirtualHostsCount() == 0 ? config : config.toBuilder().clearVirtualHosts().build());
    for (VirtualHost vhost : config.getVirtualHostsList()) {
      out.writeRawBytes(digest(vhost));
    }
  }

  /** Ends a round: only what it used is kept for the next. */
  void finish() {
    previousDigests = currentDigests;
    currentDigests = new IdentityHashMap<>();
  }

  /** SHA-256 of the virtual host's deterministic serialization. */
  byte[] digest(VirtualHost vhost) {
    byte[] digest = currentDigests.get(vhost);
    if (digest == null) {
      digest = previousDigests.get(vhost);
      if (digest == null) {
        digest = computeDigest(vhost);
      }
      currentDigests.put(vhost, digest);
    }
    return digest;
  }

  /**
   * Streams exactly the bytes of {@code vhost.writeTo} into the digest, with each route's bytes taken from the cache.
   * Generated protobuf code writes fields in field-number order and unknown fields last, so the message is the
   * fields before {@code routes}, then each route (tag, length, bytes), then the rest.
   */
  private byte[] computeDigest(VirtualHost vhost) {
    MessageDigest digest = sha256();
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(into(digest), DIGEST_BUFFER_BYTES);
      out.useDeterministicSerialization();
      if (vhost.getRoutesCount() == 0) {
        vhost.writeTo(out);
      } else {
        VirtualHost.Builder head = vhost.toBuilder().clearRoutes();
        VirtualHost.Builder tail = head.clone();
        for (Descriptors.FieldDescriptor field : VirtualHost.getDescriptor().getFields()) {
          if (field.getNumber() < VirtualHost.ROUTES_FIELD_NUMBER) {
            tail.clearField(field);
          } else {
            head.clearField(field);
          }
        }
        head.setUnknownFields(UnknownFieldSet.getDefaultInstance());
        head.build().writeTo(out);
        for (Route route : vhost.getRoutesList()) {
          writeCached(out, VirtualHost.ROUTES_FIELD_NUMBER, messageBytes(route));
        }
        if (onlyMetadataAfterRoutes(vhost)) {
          // the metadata lists every route resource of the virtual host: its bytes are kept per instance too
          writeCached(out, VirtualHost.METADATA_FIELD_NUMBER, messageBytes(vhost.getMetadata()));
        } else {
          tail.build().writeTo(out);
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return digest.digest();
  }

  private static void writeCached(CodedOutputStream out, int field, byte[] bytes) throws IOException {
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(bytes.length);
    out.writeRawBytes(bytes);
  }

  /** Whether the fields after {@code routes} are just {@code metadata} (what core builds), no unknown ones. */
  private static boolean onlyMetadataAfterRoutes(VirtualHost vhost) {
    if (!vhost.hasMetadata() || !vhost.getUnknownFields().asMap().isEmpty()) {
      return false;
    }
    for (Descriptors.FieldDescriptor field : vhost.getAllFields().keySet()) {
      if (field.getNumber() > VirtualHost.ROUTES_FIELD_NUMBER
          && field.getNumber() != VirtualHost.METADATA_FIELD_NUMBER) {
        return false;
      }
    }
    return true;
  }

  private byte[] messageBytes(Message message) {
    byte[] bytes = messages.get(message);
    if (bytes == null) {
      bytes = serialize(message);
      messages.put(message, bytes);
    }
    return bytes;
  }

  /** The deterministic serialization (map fields such as Struct metadata in key order). */
  static byte[] serialize(Message message) {
    byte[] bytes = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.checkNoSpaceLeft();
    return bytes;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** An OutputStream that feeds {@code digest} (rather than buffering megabytes to hash them afterwards). */
  static OutputStream into(MessageDigest digest) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        digest.update((byte) b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        digest.update(b, off, len);
      }
    };
  }
}
