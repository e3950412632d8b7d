"""The Playground: TensorFlow Playground's 2-D datasets and small networks, K activations trained
side by side. Data and settings (no TensorFlow), the fused networks, and the server-side job."""
