// A connection read page by page on its cursors (infinite scroll): the nodes so far,
// the page info, and `more()` to append the next page. New `key` (filters): start
// again; answers to an older key are dropped.
import { useCallback, useEffect, useRef, useState } from "./html.js";

export function usePaged(fetchPage, key) {
  const [state, setState] = useState({
    items: [],
    pageInfo: null,
    total: null,
    loading: true,
    error: null,
  });
  const epoch = useRef(0);
  const busy = useRef(false);
  const cursor = useRef(null);

  const load = useCallback(
    async (reset) => {
      if (busy.current && !reset) return;
      const mine = reset ? ++epoch.current : epoch.current;
      busy.current = true;
      setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const page = await fetchPage(reset ? null : cursor.current);
        if (mine !== epoch.current) return;
        cursor.current = page.pageInfo.endCursor;
        const nodes = page.edges.map((edge) => edge.node);
        setState((s) => ({
          items: reset ? nodes : [...s.items, ...nodes],
          pageInfo: page.pageInfo,
          total: page.totalCount,
          loading: false,
          error: null,
        }));
      } catch (error) {
        if (mine === epoch.current) setState((s) => ({ ...s, loading: false, error }));
      } finally {
        if (mine === epoch.current) busy.current = false;
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    load(true);
  }, [key]);

  const more = useCallback(() => load(false), [load]);
  // Pages change the list themselves (a new upload on top, a live update); the
  // total follows the rows they added or removed.
  const update = useCallback(
    (change) =>
      setState((s) => {
        const items = change(s.items);
        const total = s.total === null ? null : s.total + items.length - s.items.length;
        return { ...s, items, total };
      }),
    [],
  );
  return { ...state, more, update, reload: () => load(true) };
}
