/**
 * The monitor's help on how paper fills are decided: one paragraph per fill model, the same words as the
 * README's "Paper fills" section (a unit test holds the two together). Plain text; no logic.
 */

export interface HelpParagraph {
  readonly title: string;
  readonly text: string;
}

export const FILL_MODEL_HELP: readonly HelpParagraph[] = [
  {
    title: 'Queue (the default)',
    text:
      'Our order joins the back of the displayed queue at its price. A public trade at or through our price from the other side first ' +
      'meets the volume ahead of us, then fills us with what is left of it, never more than what traded; the rest of our order keeps ' +
      'working. When the opposite side reaches our price, we fill up to the volume displayed there, once. Cancels at our price move us ' +
      'forward by the share of them likely to have been ahead of us (power or log model). On a source without public trades, a level at ' +
      'our price that vanishes while the market moves through it fills us. The fill is executed, and measured, at the match instant; ' +
      'its report reaches the desk one ack latency later.',
  },
  {
    title: 'Touch (for comparison only)',
    text:
      'The article’s optimistic model: our whole remaining size fills at our price as soon as a trade from the other side prints at or ' +
      'through it, or the opposite side newly reaches it — no queue, no size cap. Nothing else fills it: a level that merely vanishes ' +
      'does not. It is an upper bound on what a resting quote could have earned, not an estimate.',
  },
  {
    title: 'Simulated market',
    text:
      'In sim mode our orders rest in the simulated exchange’s own book and are matched by its order flow with price-time priority: ' +
      'a fill is what the matching engine produced, at the instant it matched, and the fill-model setting does not apply.',
  },
];
