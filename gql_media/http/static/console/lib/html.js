// The view kit every page imports: htm's tagged templates on Preact, and its hooks.
import { h, render } from "preact";
import htm from "htm";

export const html = htm.bind(h);
export { render };
export {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "preact/hooks";
