import { createHash } from 'node:crypto';
import { dateTimeFormatter, moneyFormatter } from '@janix/documents';
import { escapeHtml } from '../mail/order-email-templates.ts';
import { AGE_RANGES, type FormField, type FormValues } from './checkout-form.ts';
import type { ShopEvent } from './shop-catalog.ts';
import { PRIVACY_POLICY_VERSION } from './web-checkout.ts';

/**
 * The web shop's pages: server-rendered HTML that works without JavaScript (there is none), every value
 * escaped, one stylesheet allowed by its hash and nothing else (CSP). Forms post back here; the only other
 * place a form may lead is Stripe's Checkout page (the redirect after the post).
 */

const LOCALE = 'en-GB';

const STYLE = `
body{font-family:system-ui,Helvetica,Arial,sans-serif;color:#1d1d1f;background:#f6f6f4;margin:0}
main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.8rem;margin:0 0 .3rem}
.meta{color:#555;margin:0 0 1.5rem}
fieldset{border:1px solid #ccc;border-radius:.5rem;background:#fff;margin:0 0 1rem;padding:1rem}
legend{font-weight:600;padding:0 .3rem}
table{width:100%;border-collapse:collapse}
td,th{text-align:left;padding:.4rem .3rem;border-bottom:1px solid #eee;vertical-align:middle}
.num{text-align:right;white-space:nowrap}
label{display:block;margin:.6rem 0 .2rem;font-weight:500}
input[type=text],input[type=email],input[type=tel],select{width:100%;max-width:24rem;padding:.4rem;font-size:1rem}
input[type=number]{width:4.5rem;padding:.3rem;font-size:1rem}
.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.5rem 0;font-weight:400}
.optional,.hint{color:#666;font-weight:400;font-size:.9rem}
.error{color:#a00000;font-size:.95rem;margin:.2rem 0}
.alert{border:2px solid #a00000;background:#fff3f3;border-radius:.5rem;padding:.8rem 1rem;margin:0 0 1rem}
.notice{border:2px solid #2d6a2d;background:#f2fbf2;border-radius:.5rem;padding:.8rem 1rem;margin:0 0 1rem}
.soldout{color:#a00000;font-weight:600}
button{font-size:1.1rem;padding:.7rem 1.4rem;border:0;border-radius:.4rem;background:#1f4fd1;color:#fff;cursor:pointer}
`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The page's policy: its own stylesheet, forms to here or Stripe's Checkout, nothing else at all. */
export const SHOP_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "form-action 'self' https://checkout.stripe.com",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every shop page: no caching of what a buyer typed, no referrer carrying a payment id. */
export const SHOP_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': SHOP_CSP,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

function page(title: string, body: string, extraHead = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">${extraHead}` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>`
  );
}

function when(event: ShopEvent): string {
  const date = dateTimeFormatter({ locale: LOCALE, timeZone: event.timeZone }, 'full');
  const zone = event.timeZone === 'UTC' ? ' (UTC)' : '';
  return `<time datetime="${escapeHtml(event.startsAt)}">${escapeHtml(date(event.startsAt))}${zone}</time>`;
}

function eventHeader(event: ShopEvent): string {
  const venue = event.venue ? `${escapeHtml(event.venue)} · ` : '';
  return `<h1>${escapeHtml(event.name)}</h1><p class="meta">${venue}${when(event)}</p>`;
}

const AGE_WORDS: Record<string, string> = {
  under_18: 'Under 18',
  '18_24': '18–24',
  '25_34': '25–34',
  '35_44': '35–44',
  '45_54': '45–54',
  '55_64': '55–64',
  '65_plus': '65 or over',
};

export interface ShopFormState {
  attemptId: string;
  values?: FormValues;
  errors?: Partial<Record<FormField, string>>;
  /** A refusal of the whole order (sold out, Stripe unavailable), in plain words. */
  problem?: string;
  /** Why nothing can be bought online here at all (no card payments on this server): no form then. */
  closed?: string;
}

function fieldError(errors: ShopFormState['errors'], field: FormField): string {
  const message = errors?.[field];
  return message ? `<p class="error" id="${field}-error">${escapeHtml(message)}</p>` : '';
}

function described(errors: ShopFormState['errors'], field: FormField): string {
  return errors?.[field] ? ` aria-invalid="true" aria-describedby="${field}-error"` : '';
}

function ticketRows(event: ShopEvent, state: ShopFormState): string {
  return event.ticketTypes
    .map((type) => {
      const money = moneyFormatter({ currency: type.currency, locale: LOCALE });
      const name = escapeHtml(type.name);
      const price = `<td class="num">${escapeHtml(money(type.priceCents))}</td>`;
      if (type.remaining <= 0) {
        return `<tr><th scope="row">${name}</th>${price}<td class="num soldout" colspan="2">Sold out</td></tr>`;
      }
      const field = `qty.${type.id}`;
      const value = state.values?.quantities[type.id] ?? '0';
      const left = type.remaining === 1 ? '1 left' : `${type.remaining} left`;
      return (
        `<tr><th scope="row"><label for="${escapeHtml(field)}">${name}</label></th>${price}` +
        `<td class="num hint">${left}</td><td class="num">` +
        `<input type="number" inputmode="numeric" id="${escapeHtml(field)}" name="${escapeHtml(field)}" ` +
        `min="0" max="${Math.min(type.remaining, 50)}" value="${escapeHtml(value)}">` +
        `<input type="hidden" name="price.${escapeHtml(type.id)}" value="${type.priceCents}"></td></tr>`
      );
    })
    .join('');
}

function textInput(
  state: ShopFormState,
  field: 'firstName' | 'lastName' | 'email' | 'phone',
  label: string,
  options: { type: string; autocomplete: string; optional?: boolean },
): string {
  const value = state.values?.[field] ?? '';
  const optional = options.optional ? ' <span class="optional">(optional)</span>' : '';
  return (
    `<label for="${field}">${label}${optional}</label>` +
    `<input type="${options.type}" id="${field}" name="${field}" autocomplete="${options.autocomplete}" ` +
    `value="${escapeHtml(value)}"${options.optional ? '' : ' required'}${described(state.errors, field)}>` +
    fieldError(state.errors, field)
  );
}

function consentChoice(
  state: ShopFormState,
  name: 'marketing' | 'ads' | 'enrichment',
  words: string,
): string {
  // Unticked unless the buyer ticked it (on this form, before it came back with an error).
  const checked = state.values?.consent[name] ? ' checked' : '';
  return `<label class="choice"><input type="checkbox" name="${name}" value="yes"${checked}> <span>${words}</span></label>`;
}

export function renderShopPage(event: ShopEvent, state: ShopFormState): string {
  const onSale = event.ticketTypes.length > 0;
  const errorCount = Object.keys(state.errors ?? {}).length;
  const alert = state.problem
    ? `<div class="alert" role="alert"><p>${escapeHtml(state.problem)}</p></div>`
    : errorCount > 0
      ? `<div class="alert" role="alert"><p>Please check the form: ${errorCount === 1 ? 'one field needs' : `${errorCount} fields need`} your attention.</p>${fieldError(state.errors, 'attempt')}</div>`
      : '';
  const allSoldOut = onSale && event.ticketTypes.every((type) => type.remaining <= 0);
  if (!onSale || allSoldOut || state.closed) {
    const why =
      state.closed ??
      (event.over
        ? 'This event is over: tickets are no longer sold.'
        : allSoldOut
          ? 'This event is sold out online.'
          : 'No tickets are on sale online for this event right now.');
    return page(event.name, `${eventHeader(event)}${alert}<p class="notice">${why}</p>`);
  }
  const ageRange = state.values?.ageRange ?? '';
  const ageOptions = ['', ...AGE_RANGES]
    .map(
      (range) =>
        `<option value="${range}"${range === ageRange ? ' selected' : ''}>${range ? AGE_WORDS[range] : 'Prefer not to say'}</option>`,
    )
    .join('');
  const body =
    `${eventHeader(event)}${alert}` +
    `<form method="post" action="/shop/${escapeHtml(event.id)}/checkout">` +
    `<input type="hidden" name="attempt" value="${escapeHtml(state.attemptId)}">` +
    `<fieldset><legend>Tickets</legend>${fieldError(state.errors, 'tickets')}` +
    `<table><thead><tr><th scope="col">Ticket</th><th scope="col" class="num">Price</th>` +
    `<th scope="col" class="num">Available</th><th scope="col" class="num">Quantity</th></tr></thead>` +
    `<tbody>${ticketRows(event, state)}</tbody></table></fieldset>` +
    `<fieldset><legend>Your details</legend>` +
    `<p class="hint">Your name and email address put your tickets in your inbox and your name on the door list.</p>` +
    textInput(state, 'firstName', 'First name', { type: 'text', autocomplete: 'given-name' }) +
    textInput(state, 'lastName', 'Last name', { type: 'text', autocomplete: 'family-name' }) +
    textInput(state, 'email', 'Email address', { type: 'email', autocomplete: 'email' }) +
    textInput(state, 'phone', 'Phone number', { type: 'tel', autocomplete: 'tel', optional: true }) +
    `<p class="hint">For event reminders and urgent notices only.</p>` +
    `<label for="ageRange">Age range <span class="optional">(optional)</span></label>` +
    `<select id="ageRange" name="ageRange"${described(state.errors, 'ageRange')}>${ageOptions}</select>` +
    `<p class="hint">Counted anonymously for the organizer's grant reporting.</p>${fieldError(state.errors, 'ageRange')}` +
    `</fieldset>` +
    `<fieldset><legend>Your choices <span class="optional">(all optional)</span></legend>` +
    consentChoice(state, 'marketing', "Email me about this organizer's future events.") +
    consentChoice(
      state,
      'ads',
      'Use a hashed form of my email address for ad audiences and remarketing (Meta, Google).',
    ) +
    consentChoice(
      state,
      'enrichment',
      'Add publicly available professional information (company, job title) to my profile (Apollo.io, Exa.ai).',
    ) +
    `<p class="hint">You can change your mind at any time by writing to privacy@janix.ai. ` +
    `Privacy policy of ${PRIVACY_POLICY_VERSION}: we never sell your data, and we never see or store your card; ` +
    `Stripe takes the payment on its own page.</p></fieldset>` +
    `<button type="submit">Continue to payment</button></form>`;
  return page(`${event.name}: tickets`, body);
}

export function renderNotFound(): string {
  return page(
    'Event not found',
    '<h1>Event not found</h1><p>This event does not exist or is not on sale. Please check the link you followed.</p>',
  );
}

export function renderMessage(
  title: string,
  message: string,
  options: { refresh?: boolean; back?: string } = {},
) {
  const back = options.back ? `<p><a href="${escapeHtml(options.back)}">Back to the event</a></p>` : '';
  // Without JavaScript, the page asks again by itself until the payment is settled.
  const head = options.refresh ? '<meta http-equiv="refresh" content="3">' : '';
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${back}`, head);
}
