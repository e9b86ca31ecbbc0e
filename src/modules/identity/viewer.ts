// The request principal belongs to the platform (every request has one); the identity module establishes it.
export * from '../../platform/viewer';
