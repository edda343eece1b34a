import { expect } from 'chai';
import { ChangeFeed } from '../../lib/store/feed.js';

describe('store/feed: ChangeFeed', () => {
  it('tells the listeners of a collection, and only those', () => {
    const feed = new ChangeFeed();
    const told: string[] = [];
    feed.on('items', () => told.push('items 1'));
    feed.on('items', () => told.push('items 2'));
    feed.on('notes', () => told.push('notes'));
    feed.emit('items');
    expect(told).to.deep.equal(['items 1', 'items 2']);
    feed.emit('other');
    expect(told).to.have.length(2);
  });

  it('removes one subscription per stop, even of the same function subscribed twice', () => {
    const feed = new ChangeFeed();
    let count = 0;
    const listener = () => count++;
    const stopA = feed.on('items', listener);
    const stopB = feed.on('items', listener);
    feed.emit('items');
    expect(count).to.equal(2);
    stopA();
    feed.emit('items');
    expect(count).to.equal(3);
    stopB();
    stopB();
    feed.emit('items');
    expect(count).to.equal(3);
  });

  it('is watched while anyone listens', () => {
    const feed = new ChangeFeed();
    expect(feed.watched).to.equal(false);
    const stop = feed.on('items', () => undefined);
    expect(feed.watched).to.equal(true);
    stop();
    expect(feed.watched).to.equal(false);
  });

  it('tells every collection on emitAll, and lets a listener stop itself while told', () => {
    const feed = new ChangeFeed();
    const told: string[] = [];
    const stop = feed.on('items', () => (told.push('items'), stop()));
    feed.on('items', () => told.push('items, second'));
    feed.on('notes', () => told.push('notes'));
    feed.emitAll();
    expect(told).to.deep.equal(['items', 'items, second', 'notes']);
    feed.emitAll();
    expect(told).to.deep.equal(['items', 'items, second', 'notes', 'items, second', 'notes']);
  });
});
