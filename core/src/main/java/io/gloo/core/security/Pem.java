package io.gloo.core.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM encoding and decoding of certificates and (PKCS#8) private keys. Stateless. */
final class Pem {

  private Pem() {
  }

  static String certificate(X509Certificate certificate) {
    return write(certificate);
  }

  /** PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), which grpc/netty, Envoy and OpenSSL all read. */
  static String privateKey(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static X509Certificate parseCertificate(String pem) throws IOException {
    try {
      var factory = CertificateFactory.getInstance("X.509");
      return (X509Certificate) factory.generateCertificate(
          new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new IOException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** Reads a PKCS#8 or traditional (SEC1) PEM private key. The message of a failure never contains key bytes. */
  static PrivateKey parsePrivateKey(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      var converter = new JcaPEMKeyConverter();
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new IOException("not a PEM private key");
    } catch (RuntimeException e) {
      throw new IOException("not a PEM private key", e);
    }
  }

  private static String write(Object object) {
    var out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
