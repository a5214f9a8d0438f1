export { postgresGlobalSetup as default } from '@janix/server/testing';
