"""BrainDetectionModel in PyTorch, written from the model contract (docs/spec.md), so that
its state_dict names and its training step are the reference for the C++ engine."""
import torch
import torch.nn.functional as F
from torch import nn


class CamGuidedAttention(nn.Module):
    """Channel attention guided by the CAM of the current fc weight, then spatial attention."""

    def __init__(self, channels=32, reduction=8):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(channels, channels // reduction), nn.ReLU(),
                                 nn.Linear(channels // reduction, channels))
        self.spatial = nn.Conv2d(2, 1, 7, padding=3, bias=False)

    def forward(self, f, fc):
        n, c, h, w = f.shape
        with torch.no_grad():  # the CAM guidance is a constant (stop-gradient)
            pooled = F.max_pool2d(f.detach(), 4)
            weight = fc.weight.detach()
            if weight.shape[0] > 1:  # K classes: the class the attention-free pass predicts
                k = torch.argmax(F.linear(pooled.flatten(1), weight, fc.bias.detach()), dim=1)
                weight = weight[k].view(n, c, h // 4, w // 4)
            else:
                weight = weight.view(c, h // 4, w // 4)
            cam = (weight * pooled).sum(dim=1)
            s = torch.softmax(cam.reshape(n, -1), dim=1).view(n, 1, h // 4, w // 4)
        a = f.mean(dim=(2, 3))
        # max(dim) routes the gradient to the first maximum, as the contract says (amax would
        # split it between ties).
        m = f.flatten(2).max(dim=2).values
        g = (s * F.avg_pool2d(f, 4)).sum(dim=(2, 3))
        gate = torch.sigmoid(self.mlp(a) + self.mlp(m) + self.mlp(g))
        f1 = f * gate[:, :, None, None]
        pooled_channels = torch.cat([f1.mean(dim=1, keepdim=True),
                                     f1.max(dim=1, keepdim=True).values], dim=1)
        return f1 * torch.sigmoid(self.spatial(pooled_channels))


class BrainDetectionModel(nn.Module):
    """classes = 1: the binary model, whose forward gives one logit per image (N); classes = K >= 2:
    the multiclass model (the spec's section 6), N x K logits."""

    def __init__(self, height=240, width=240, classes=1):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(32, eps=1e-5, momentum=0.1)
        self.att = CamGuidedAttention(32)
        self.fc = nn.Linear(32 * (height // 16) * (width // 16), classes)

    def forward(self, x, attention=True):
        f = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 4)
        a = self.att(f, self.fc) if attention else f
        p = F.max_pool2d(a, 4)
        z = self.fc(p.flatten(1))
        return z.squeeze(1) if z.shape[1] == 1 else z
