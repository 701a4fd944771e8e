// The address search of the transport screens: a text field, a "Search address" button (or
// Enter) asking the service's own geocoder (`/api/v1/geocode`), the candidates as buttons, and
// the one the user chose. Used by the riders' registration and by the Mobilitate runs' form
// (canteen, each delivery, the day centre), so an address is never typed as "lon, lat".

import { clear, h } from '../dom';
import { tt } from './i18n';

export interface Candidate {
  label: string;
  kind: string;
  position: { lon: number; lat: number };
}

export interface AddressSearch {
  /** The text field (its `name` as given). */
  input: HTMLInputElement;
  /** The "Search address" button. */
  find: HTMLButtonElement;
  /** Where the candidates and the chosen address are shown. */
  found: HTMLElement;
  /** The chosen address, or null while none is (or the text was changed after choosing). */
  picked(): Candidate | null;
}

export function addressSearch(opts: {
  name: string;
  hint?: string;
  search: (q: string) => Promise<{ candidates: Candidate[] }>;
  onError: (e: unknown) => void;
  onPick?: (c: Candidate) => void;
}): AddressSearch {
  let picked: Candidate | null = null;
  const input = h('input', { type: 'text', name: opts.name, autocomplete: 'off', maxlength: 300, placeholder: opts.hint ?? tt('rp_home_hint') }) as HTMLInputElement;
  const found = h('div', { class: 'rp-candidates', 'data-field': 'candidates', 'aria-live': 'polite' });
  const doSearch = async () => {
    const q = input.value.trim();
    if (q.length < 3) return;
    clear(found);
    found.append(h('p', { class: 'muted' }, tt('rp_searching')));
    try {
      const out = await opts.search(q);
      clear(found);
      if (out.candidates.length === 0) found.append(h('p', { class: 'muted' }, tt('rp_no_match')));
      for (const c of out.candidates) {
        found.append(
          h(
            'button',
            {
              type: 'button',
              class: 'rp-candidate',
              role: 'option',
              onclick: () => {
                picked = c;
                input.value = c.label;
                clear(found);
                found.append(h('p', { 'data-field': 'picked' }, tt('rp_picked', { a: c.label })));
                opts.onPick?.(c);
              },
            },
            c.label,
          ),
        );
      }
    } catch (e) {
      clear(found);
      opts.onError(e);
    }
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void doSearch();
    }
  });
  input.addEventListener('input', () => {
    if (picked && input.value !== picked.label) {
      picked = null;
      clear(found);
    }
  });
  const find = h('button', { type: 'button', 'data-action': 'find-address', onclick: () => void doSearch() }, tt('rp_find')) as HTMLButtonElement;
  return { input, find, found, picked: () => picked };
}
