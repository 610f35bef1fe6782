package io.tether.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterQuorumTest {
  private static final String A = "10.0.0.1:5701";
  private static final String B = "10.0.0.2:5701";
  private static final String C = "10.0.0.3:5701";
  private static final String D = "10.0.0.4:5701";

  @Test
  void ofThreeTwoDecideAndOneWaits() {
    ClusterQuorum quorum = new ClusterQuorum(List.of(A, B, C));
    assertTrue(quorum.isMajority(List.of(A, B, C)));
    assertTrue(quorum.isMajority(List.of(B, C)));
    assertTrue(quorum.isMajority(List.of(A, C)));
    assertFalse(quorum.isMajority(List.of(A)), "the first-listed node alone is no majority of 3");
    assertFalse(quorum.isMajority(List.of(C)));
  }

  @Test
  void anExactHalfDecidesOnlyWithTheFirstListedMember() {
    ClusterQuorum two = new ClusterQuorum(List.of(A, B));
    assertTrue(two.isMajority(List.of(A)));
    assertFalse(two.isMajority(List.of(B)));
    ClusterQuorum four = new ClusterQuorum(List.of(A, B, C, D));
    assertTrue(four.isMajority(List.of(A, D)));
    assertFalse(four.isMajority(List.of(B, C)));
  }

  @Test
  void membersOutsideTheConfigurationDoNotCount() {
    ClusterQuorum quorum = new ClusterQuorum(List.of(A, B, C));
    assertFalse(quorum.isMajority(List.of(A, "10.9.9.9:5701", "10.9.9.8:5701")));
  }

  @Test
  void aClusterOfOneIsItsOwnMajority() {
    assertTrue(new ClusterQuorum(List.of(A)).isMajority(List.of(A)));
  }
}
