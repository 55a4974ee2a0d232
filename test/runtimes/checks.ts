export const CHECKS = 14;
