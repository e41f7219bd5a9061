const express = globalThis.__redlineStubs.express;
export default express;
export const Router = () => express().Router();
