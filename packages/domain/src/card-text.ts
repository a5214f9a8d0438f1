/**
 * A card as Janix names it to people (the till, the order screen, the buyer's receipt): the brand as a buyer
 * knows it and the last four digits, the only part of a card Janix ever holds.
 */

/** Stripe's card brands in the words on the card; another brand reads as Stripe writes it. */
const BRANDS: Readonly<Record<string, string>> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  american_express: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  interac: 'Interac',
  eftpos_au: 'eftpos',
  girocard: 'girocard',
  cartes_bancaires: 'Cartes Bancaires',
};

/** "Visa •••• 4242". Null when Stripe did not say. */
export function cardText(brand: string | null, last4: string | null): string | null {
  if (!brand && !last4) return null;
  const name = brand ? (BRANDS[brand.toLowerCase()] ?? brand.replaceAll('_', ' ')) : 'Card';
  return last4 ? `${name} •••• ${last4}` : name;
}
