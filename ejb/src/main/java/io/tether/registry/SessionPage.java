package io.tether.registry;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the records of the page, in the listing's order
 * @param total how many records matched the filters (on every page)
 * @param partial whether some of the cluster did not answer in time: only the records this node
 *     holds itself are counted and listed
 */
public record SessionPage(List<SessionRecord> items, long total, boolean partial) {
  public SessionPage {
    items = List.copyOf(items);
  }

  public SessionPage(List<SessionRecord> items, long total) {
    this(items, total, false);
  }
}
