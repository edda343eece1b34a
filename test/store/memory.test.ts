import { MemoryStore } from '../../lib/store/memory.js';
import { storeConformance } from './conformance.js';

storeConformance('memory', async () => ({ store: new MemoryStore(), dispose: async () => {} }));
