/** Vite imports the stylesheet as a side effect; TypeScript only needs to know such imports exist. */
declare module '*.css';
