package io.gloo.plugins.extauth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Vectors produced on this machine with {@code openssl passwd -apr1 -salt SALT PASSWORD}. */
class Apr1Md5Test {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "password|TESTSALT|/qh1NeASK65KivtI8Dg4a0",
      "p@ss wörd|xyz|P8UGKdpl7kF5G8NwemYCM.",
      "''|a|lsAcX0kKaMIVmrCtUuk5b0"})
  void matchesOpenssl(String password, String salt, String expected) {
    assertEquals(expected, Apr1Md5.hash(password, salt));
    assertTrue(Apr1Md5.verify(password, salt, expected));
    assertFalse(Apr1Md5.verify(password + "x", salt, expected));
  }
}
