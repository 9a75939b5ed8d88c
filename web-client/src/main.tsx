// Entry point: mounts the app into #app.
import { render } from 'preact';
import { App } from './App';
import './style.css';
import './screen.css';

render(<App />, document.getElementById('app')!);
